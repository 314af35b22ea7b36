/**
 * Callback signatures: `X-Signature` is the hex HMAC-SHA256 of the raw request body, keyed with
 * the partner's callback secret. Pure and n8n-free, so it can be tested with known vectors.
 *
 * The body must be the exact bytes received: parsing and re-serialising JSON changes spacing,
 * key order and escapes, and the signature stops matching (the vendor's "usual failure" #2).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** SHA-256 digests are 32 bytes, so a valid signature is exactly 64 hex digits. */
const SIGNATURE_HEX = /^[0-9a-fA-F]{64}$/;

export type SignatureFailure =
	/** no callback secret configured: nothing could ever be verified */
	| 'no-secret'
	| 'missing-signature'
	/** not 64 hex digits (truncated, odd length, non-hex, several values) */
	| 'malformed-signature'
	/** well-formed but matches none of the secrets */
	| 'mismatch';

export type SignatureCheck =
	| { valid: true; /** 0 = current secret, 1 = previous secret (rotation in progress) */ secretIndex: number }
	| { valid: false; reason: SignatureFailure };

/** The lowercase hex HMAC-SHA256 of `body` under `secret` (as the vendor signs). */
export function signBody(body: Buffer | string, secret: string): string {
	return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * What is wrong with the header's form alone (undefined: 64 hex digits). Needs no secret, so a
 * request failing it can be refused before the credential is read.
 */
export function signatureHeaderProblem(header: string | string[] | undefined): 'missing-signature' | 'malformed-signature' | undefined {
	if (header === undefined || header === '' || (Array.isArray(header) && header.length === 0)) return 'missing-signature';
	// A repeated header is ambiguous: refuse it rather than pick one.
	if (Array.isArray(header) || !SIGNATURE_HEX.test(header)) return 'malformed-signature';
	return undefined;
}

/**
 * Checks `header` against the body under each secret, in order (current first, then previous).
 * Empty or missing secrets are skipped. Hex case is not significant (both decode to the same
 * bytes); the decoded digests are compared in constant time.
 */
export function verifySignature(
	rawBody: Buffer,
	header: string | string[] | undefined,
	secrets: ReadonlyArray<string | undefined | null>,
): SignatureCheck {
	const usable = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
	if (usable.length === 0) return { valid: false, reason: 'no-secret' };
	const problem = signatureHeaderProblem(header);
	if (problem !== undefined) return { valid: false, reason: problem };
	const received = Buffer.from(header as string, 'hex');
	// Every secret is tried even after a match, so timing does not depend on which one matched.
	let matched = -1;
	usable.forEach((secret, index) => {
		const expected = createHmac('sha256', secret).update(rawBody).digest();
		if (timingSafeEqual(expected, received) && matched === -1) matched = index;
	});
	if (matched === -1) return { valid: false, reason: 'mismatch' };
	// the position in the caller's list, so a skipped empty current secret still reports the
	// previous one as index 1
	return { valid: true, secretIndex: secrets.indexOf(usable[matched]) };
}

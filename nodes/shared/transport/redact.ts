/**
 * Keeps secrets out of errors. A server, proxy or gateway may echo the request back in its error
 * (the Authorization header, the refresh token) and n8n stores and shows whatever an error
 * carries: message, description, context and the raw response. Pure.
 */

export const REDACTED = '[redacted]';

/** Secrets shorter than this are not searched for: "ab" would blank out half of any message. */
const MIN_SECRET_LENGTH = 6;

/** The credential fields that are secret (everything but environment, base URL and key). */
const SECRET_FIELDS = ['partnerSecret', 'accessToken', 'refreshToken', 'callbackSecret', 'previousCallbackSecret'];

/** An Authorization header value, whoever's token it is (a stale token is still a token). */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/** Every secret value held by the given credential snapshots (before and after a refresh). */
export function secretsOf(...credentials: Array<Record<string, unknown> | undefined>): string[] {
	const values = credentials.flatMap((data) => SECRET_FIELDS.map((field) => data?.[field]));
	const secrets = values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH);
	// longest first, so that a secret containing another is removed whole
	return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}

export function redactText(text: string, secrets: readonly string[]): string {
	let out = text.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
	for (const secret of secrets) out = out.split(secret).join(REDACTED);
	return out;
}

/** A copy of `value` with every string redacted (keys included), cycles cut. */
export function redactDeep<T>(value: T, secrets: readonly string[], ancestors = new Set<object>()): T {
	if (typeof value === 'string') return redactText(value, secrets) as T;
	if (value === null || typeof value !== 'object') return value;
	if (ancestors.has(value)) return '[circular]' as T;
	ancestors.add(value);
	const copy = Array.isArray(value)
		? value.map((v) => redactDeep(v, secrets, ancestors))
		: Object.fromEntries(
				Object.entries(value).map(([k, v]) => [redactText(k, secrets), redactDeep(v, secrets, ancestors)]),
			);
	ancestors.delete(value);
	return copy as T;
}

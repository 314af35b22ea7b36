/**
 * R1's generator: a genuine callback, then a body mutation, a signature mutation and a signing
 * secret, all drawn by fast-check. The verdict each case deserves comes from an oracle written
 * here with node:crypto, independently of the node's signature code.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';

export const CURRENT = 'r1-current-callback-secret';
export const PREVIOUS = 'r1-previous-callback-secret';
/** trigger set-ups under test: with a previous secret (rotation under way) or the current one only */
export const SETUPS = {
	rotation: { callbackSecret: CURRENT, previousCallbackSecret: PREVIOUS },
	currentOnly: { callbackSecret: CURRENT, previousCallbackSecret: '' },
} as const;
export type Setup = keyof typeof SETUPS;

const MAX_CALLBACK_BYTES = 64 * 1024; // the limit the trigger documents; over it is never accepted

const hmac = (body: Buffer, secret: string) => createHmac('sha256', secret).update(body).digest('hex');

export interface ForgeryCase {
	setup: Setup;
	body: Buffer;
	/** undefined: no header; array: the header repeated */
	signature: string | string[] | undefined;
	label: string;
	/** the body means the same callback as a genuine one (bytes may differ) */
	meaningKept: boolean;
}

const EVENTS = [
	['JobAssigned', 'Assigned'],
	['JobStarted', 'InProgress'],
	['JobCompleted', 'Completed'],
	['JobWithdrawed', 'New'],
	['JobWithdrawed', 'Canceled'],
] as const;

/** A genuine callback as the vendor sends it (compact JSON, keys in the documented order). */
const genuine = fc
	.record({
		jobId: fc.integer({ min: 1, max: 2 ** 31 }),
		event: fc.constantFrom(...EVENTS),
		jobName: fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constant('Open house "12" \\ Main St')),
		phone: fc.option(fc.constantFrom('+12125550100', '+1 (212) 555-0101'), { nil: undefined }),
	})
	.map(({ jobId, event, jobName, phone }) => ({
		jobId,
		eventType: event[0],
		jobName,
		jobStatus: event[1],
		...(phone === undefined ? {} : { guardianPhone: phone }),
	}));

/** Positions right after a comma or colon outside strings: where JSON allows whitespace. */
function structuralSpots(text: string): number[] {
	const spots: number[] = [];
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (inString) {
			if (ch === '\\') i++;
			else if (ch === '"') inString = false;
		} else if (ch === '"') inString = true;
		else if (ch === ',' || ch === ':') spots.push(i + 1);
	}
	return spots;
}

type BodyMutation = { label: string; meaningKept: boolean; apply: (body: Buffer, value: Record<string, unknown>) => Buffer };

const shuffle = <T>(list: T[], order: number[]) => list.map((x, i) => [order[i % order.length] ?? 0, i, x] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((e) => e[2]);

const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
	{ weight: 6, arbitrary: fc.constant<BodyMutation>({ label: 'body unchanged', meaningKept: true, apply: (b) => b }) },
	{ weight: 2, arbitrary: fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }).map(({ at, bit }) => ({
		label: 'bit flip', meaningKept: false,
		apply: (b: Buffer) => { const c = Buffer.from(b); c[at % c.length] ^= 1 << bit; return c; },
	})) },
	{ weight: 1, arbitrary: fc.constantFrom(2, 4, '\t').map((indent) => ({
		label: 're-serialised JSON', meaningKept: true,
		apply: (_b: Buffer, v: Record<string, unknown>) => Buffer.from(JSON.stringify(v, null, indent)),
	})) },
	{ weight: 1, arbitrary: fc.record({ at: fc.nat(), ws: fc.constantFrom(' ', '\n', '\t', '\r\n', '  ') }).map(({ at, ws }) => ({
		label: 'whitespace added', meaningKept: true,
		// between tokens only (after a comma or colon), so the JSON means the same
		apply: (b: Buffer) => {
			const text = b.toString('utf8');
			const spots = structuralSpots(text);
			const spot = spots.length ? spots[at % spots.length] : 0;
			return Buffer.from(text.slice(0, spot) + ws + text.slice(spot));
		},
	})) },
	{ weight: 1, arbitrary: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }).map((order) => ({
		label: 'key order changed', meaningKept: true,
		apply: (_b: Buffer, v: Record<string, unknown>) => Buffer.from(JSON.stringify(Object.fromEntries(shuffle(Object.entries(v), order)))),
	})) },
	{ weight: 1, arbitrary: fc.constantFrom('eventType', 'jobStatus', 'jobName').map((field) => ({
		label: 'escape changed', meaningKept: true,
		// the first character of a string value written as \uXXXX: the same JSON value, other bytes
		apply: (b: Buffer, v: Record<string, unknown>) => {
			const value = String(v[field] ?? '');
			if (!value) return b;
			const escaped = `"\\u${value.charCodeAt(0).toString(16).padStart(4, '0')}${JSON.stringify(value.slice(1)).slice(1, -1)}"`;
			return Buffer.from(b.toString('utf8').replace(`"${field}":${JSON.stringify(value)}`, () => `"${field}":${escaped}`));
		},
	})) },
	{ weight: 1, arbitrary: fc.nat().map((cut) => ({
		label: 'truncated', meaningKept: false,
		apply: (b: Buffer) => b.subarray(0, cut % b.length),
	})) },
	{ weight: 1, arbitrary: fc.constantFrom(' ', '\n', 'x', ',{}', '{"jobId":1}', '\u0000').map((tail) => ({
		label: 'extended', meaningKept: tail === ' ' || tail === '\n',
		apply: (b: Buffer) => Buffer.concat([b, Buffer.from(tail)]),
	})) },
	{ weight: 1, arbitrary: fc.constant<BodyMutation>({ label: 'empty body', meaningKept: false, apply: () => Buffer.alloc(0) }) },
	{ weight: 1, arbitrary: fc.integer({ min: 1, max: 4096 }).map((over) => ({
		label: 'oversized body', meaningKept: false,
		apply: (_b: Buffer, v: Record<string, unknown>) => {
			const bare = JSON.stringify({ ...v, jobName: '' });
			return Buffer.from(JSON.stringify({ ...v, jobName: 'x'.repeat(MAX_CALLBACK_BYTES + over - Buffer.byteLength(bare)) }));
		},
	})) },
);

type SecretChoice = { label: string; secret: string };
const secretChoice: fc.Arbitrary<SecretChoice> = fc.oneof(
	{ weight: 8, arbitrary: fc.constant({ label: 'current secret', secret: CURRENT }) },
	{ weight: 2, arbitrary: fc.constant({ label: 'previous secret', secret: PREVIOUS }) },
	{ weight: 1, arbitrary: fc.constant({ label: 'empty secret', secret: '' }) },
	{ weight: 2, arbitrary: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom(CURRENT + ' ', CURRENT.toUpperCase(), CURRENT.slice(1))).map((secret) => ({ label: 'wrong secret', secret })) },
);

/** How the header is built from the true MAC (`of` the original or of the mutated body). */
type SigMutation = { label: string; of: 'original' | 'sent'; apply: (hex: string) => string | string[] | undefined };
const sigMutation: fc.Arbitrary<SigMutation> = fc.oneof(
	{ weight: 5, arbitrary: fc.constant<SigMutation>({ label: 'signature of the original body', of: 'original', apply: (h) => h }) },
	{ weight: 4, arbitrary: fc.constant<SigMutation>({ label: 'signature of the body sent', of: 'sent', apply: (h) => h }) },
	{ weight: 1, arbitrary: fc.integer({ min: 1, max: 63 }).map((n) => ({ label: 'signature truncated', of: 'sent' as const, apply: (h: string) => h.slice(0, 64 - n) })) },
	{ weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{1,8}$/).map((x) => ({ label: 'signature extended', of: 'sent' as const, apply: (h: string) => h + x })) },
	{ weight: 1, arbitrary: fc.constant<SigMutation>({ label: 'signature upper-case', of: 'original', apply: (h) => h.toUpperCase() }) },
	{ weight: 1, arbitrary: fc.constantFrom('sha256=', 'SHA256=', ' ', '0x', 'v1=').map((p) => ({ label: 'signature prefixed', of: 'sent' as const, apply: (h: string) => p + h })) },
	{ weight: 1, arbitrary: fc.record({ at: fc.integer({ min: 0, max: 63 }), ch: fc.constantFrom('g', 'z', 'G', ' ', '-', 'é') }).map(({ at, ch }) => ({
		label: 'signature non-hex', of: 'sent' as const, apply: (h: string) => h.slice(0, at) + ch + h.slice(at + 1),
	})) },
	{ weight: 1, arbitrary: fc.constantFrom<SigMutation>(
		{ label: 'header repeated (same value)', of: 'sent', apply: (h) => [h, h] },
		{ label: 'header repeated (other value)', of: 'sent', apply: (h) => [h, '0'.repeat(64)] },
	) },
	{ weight: 1, arbitrary: fc.constantFrom<SigMutation>(
		{ label: 'no signature header', of: 'sent', apply: () => undefined },
		{ label: 'empty signature header', of: 'sent', apply: () => '' },
	) },
	{ weight: 1, arbitrary: fc.constant<SigMutation>({ label: 'bit flip in the signature', of: 'sent', apply: (h) => (h[0] === 'a' ? 'b' : 'a') + h.slice(1) }) },
);

export const forgeryCase: fc.Arbitrary<ForgeryCase> = fc
	.record({ setup: fc.constantFrom<Setup>('rotation', 'currentOnly'), value: genuine, body: bodyMutation, sig: sigMutation, secret: secretChoice })
	.map(({ setup, value, body: mutation, sig, secret }) => {
		const original = Buffer.from(JSON.stringify(value));
		const sent = mutation.apply(original, value);
		const mac = hmac(sig.of === 'original' ? original : sent, secret.secret);
		return {
			setup,
			body: sent,
			signature: sig.apply(mac),
			label: `${mutation.label} / ${sig.label} / ${secret.label}`,
			meaningKept: mutation.meaningKept,
		};
	});

export type Verdict = 'genuine' | 'forged' | 'signed-nonsense';

/**
 * What the trigger must do: a body carrying a correct MAC under a secret the set-up holds is
 * authentic — 'genuine' when it still means the vendor's callback (must be accepted),
 * 'signed-nonsense' when it was mangled (any refusal or acceptance is the payload rules' call);
 * anything else is 'forged' (never accepted, stores nothing). Hex case is not significant: an
 * upper-case MAC is the same 32 bytes (the node documents this deliberately), and spaces around a
 * header value are not part of it in HTTP.
 */
export function verdictOf(c: ForgeryCase): Verdict {
	const held = Object.values(SETUPS[c.setup]).filter((s) => s.length > 0);
	// HTTP strips spaces and tabs around a header value before anyone sees it (RFC 9110 §5.5)
	const header = typeof c.signature === 'string' ? c.signature.replace(/^[ \t]+|[ \t]+$/g, '') : c.signature;
	const authentic =
		typeof header === 'string' && /^[0-9a-fA-F]{64}$/.test(header) && held.some((s) => hmac(c.body, s) === header.toLowerCase());
	if (!authentic) return 'forged';
	return c.meaningKept && c.body.length <= MAX_CALLBACK_BYTES && c.body.length > 0 ? 'genuine' : 'signed-nonsense';
}

import { RATE_LIMIT } from '../../nodes/shared/contract';
import { guardMs, Pacer } from '../../nodes/shared/transport/pacing';
import { decideRetry, parseRetryAfter, RETRY_POLICY } from '../../nodes/shared/transport/retryPolicy';

const none = { rateLimited: 0, transient: 0 };

describe('decideRetry', () => {
	it('waits out a 429 for every call, a create included, using Retry-After when given', () => {
		expect(decideRetry({ kind: 'http', status: 429, retryAfterMs: 7000 }, none, false)).toEqual({
			retry: true,
			delayMs: 7000,
			reason: 'rateLimited',
		});
		expect(decideRetry({ kind: 'http', status: 429 }, { rateLimited: 2, transient: 0 }, false)).toMatchObject({
			retry: true,
			delayMs: RETRY_POLICY.rateLimit.backoffMs[2],
		});
	});

	it('gives up on 429 after the last allowed wait, or when asked to wait too long', () => {
		const max = RETRY_POLICY.rateLimit.maxRetries;
		expect(decideRetry({ kind: 'http', status: 429 }, { rateLimited: max, transient: 0 }, true)).toEqual({
			retry: false,
			reason: 'rateLimitExhausted',
		});
		expect(
			decideRetry({ kind: 'http', status: 429, retryAfterMs: RETRY_POLICY.rateLimit.maxWaitMs + 1 }, none, true),
		).toEqual({ retry: false, reason: 'retryAfterTooLong' });
	});

	it.each([500, 502, 503, 504])('retries %p with back-off for idempotent calls only', (status) => {
		expect(decideRetry({ kind: 'http', status }, none, true)).toEqual({ retry: true, delayMs: 1000, reason: 'transient' });
		expect(decideRetry({ kind: 'http', status }, { rateLimited: 0, transient: 1 }, true)).toMatchObject({ delayMs: 2000 });
		expect(decideRetry({ kind: 'http', status }, none, false)).toEqual({ retry: false, reason: 'fateUnknown' });
	});

	it('stops retrying transient failures after the allowed number', () => {
		const max = RETRY_POLICY.transient.maxRetries;
		expect(decideRetry({ kind: 'http', status: 503 }, { rateLimited: 0, transient: max }, true)).toEqual({
			retry: false,
			reason: 'transientExhausted',
		});
	});

	it('never repeats a create after a connection broke mid-request', () => {
		for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', undefined]) {
			expect(decideRetry({ kind: 'network', code }, none, false)).toEqual({ retry: false, reason: 'fateUnknown' });
			expect(decideRetry({ kind: 'network', code }, none, true)).toMatchObject({ retry: true, reason: 'transient' });
		}
	});

	it('repeats even a create when the connection was never made', () => {
		for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']) {
			expect(decideRetry({ kind: 'network', code }, none, false)).toMatchObject({ retry: true, reason: 'notSent' });
		}
	});

	it.each([400, 401, 403, 404, 409, 422])('treats %p as final', (status) => {
		expect(decideRetry({ kind: 'http', status }, none, true)).toEqual({ retry: false, reason: 'final' });
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('2030-01-01T00:00:00Z');
	it('reads seconds and HTTP dates', () => {
		expect(parseRetryAfter('3', now)).toBe(3000);
		expect(parseRetryAfter(['1.5'], now)).toBe(1500);
		expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:10 GMT', now)).toBe(10_000);
		expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
	});
	it('ignores absent or garbled values', () => {
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter('', now)).toBeUndefined();
		expect(parseRetryAfter('soon', now)).toBeUndefined();
	});
});

it('without Retry-After, waits out a whole rate window before giving up on a 429', () => {
	const { maxRetries } = RETRY_POLICY.rateLimit;
	const waits = Array.from({ length: maxRetries }, (_, rateLimited) => {
		const decision = decideRetry({ kind: 'http', status: 429 }, { rateLimited, transient: 0 }, false);
		return decision.retry ? decision.delayMs : Number.NaN;
	});
	expect(waits.at(-1)).toBe(RATE_LIMIT.windowMs);
	expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThan(RATE_LIMIT.windowMs);
	expect(decideRetry({ kind: 'http', status: 429 }, { rateLimited: maxRetries, transient: 0 }, false)).toMatchObject({ retry: false });
});

describe('Pacer', () => {
	it('lets a burst up to the limit through, then spaces requests by the window', () => {
		let clock = 1_000_000;
		const pacer = new Pacer({ requests: 3, windowMs: 1000 }, () => clock);
		expect([pacer.reserve('k'), pacer.reserve('k'), pacer.reserve('k')]).toEqual([0, 0, 0]);
		const gap = 1000 + guardMs(1000);
		expect(pacer.reserve('k')).toBe(gap);
		expect(pacer.reserve('k')).toBe(gap);
		clock += 400;
		expect(pacer.reserve('k')).toBe(gap - 400);
		expect(pacer.reserve('k')).toBe(2 * gap - 400);
	});

	it('never books more than the limit inside any window', () => {
		let clock = 0;
		const pacer = new Pacer({ requests: 5, windowMs: 1000 }, () => clock);
		const sends: number[] = [];
		for (let i = 0; i < 40; i++) {
			clock += Math.floor((i * 37) % 90);
			sends.push(clock + pacer.reserve('k'));
		}
		for (const start of sends) {
			expect(sends.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(5);
		}
		expect([...sends].sort((a, b) => a - b)).toEqual(sends);
	});

	it('keeps partner keys apart and honours a block from a 429', () => {
		let clock = 0;
		const pacer = new Pacer({ requests: 1, windowMs: 1000 }, () => clock);
		expect(pacer.reserve('a')).toBe(0);
		expect(pacer.reserve('b')).toBe(0);
		pacer.blockUntil('b', 5000);
		expect(pacer.reserve('b')).toBe(5000);
		clock = 2000;
		expect(pacer.reserve('a')).toBe(0);
	});
});

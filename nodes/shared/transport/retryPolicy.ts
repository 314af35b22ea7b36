/**
 * When the transport sends a request again, and when it gives up. Pure, so the policy can be
 * read and tested on its own.
 *
 * THE POLICY
 * 1. 401 is not handled here: the transport sends the request once more through n8n's
 *    refreshing path (preAuthentication: refresh, then login with key + secret).
 * 2. 429 (rate limited): the request was refused, not processed, so it is safe to send again —
 *    even a create. Wait what `Retry-After` says (seconds or an HTTP date), else back off
 *    1 s, 2 s, 4 s, 8 s, 16 s and, last, one whole rate window (60 s): without Retry-After the
 *    node cannot know when the limit lifts, but after a full window of silence it has. At most
 *    6 waits, and never a single wait longer than 2 minutes (a longer Retry-After fails the item
 *    with the time to wait in the message). The wait also holds back every other request for
 *    the same partner key in this process.
 * 3. 5xx (500, 502, 503, 504, …) and network failures after the request may have reached
 *    G2 Sentry: retried with 1 s, 2 s, 4 s back-off (3 retries) ONLY for idempotent calls
 *    (reads, and changes that are not a POST: an update, a cancel). A create (POST /jobs) or a review
 *    (POST) whose fate is unknown is never sent twice: the error says the job may exist.
 * 4. Network failures where the request provably never left (connection refused, DNS failure,
 *    host unreachable, connect timeout) are retried like rule 3 for every call, creates included.
 * 5. A 2xx that is not the answer the contract promises (a web page, an empty body, an answer
 *    over the size kept: see ./answers.ts), and an attempt past its whole-request deadline
 *    (./limits.ts), are answers lost like rule 3: tried again only for idempotent calls.
 * 6. Everything else (400, 403, 404, 422, other 4xx) is final: the API has decided.
 */

import { RATE_LIMIT } from '../contract';

export const RETRY_POLICY = {
	rateLimit: { maxRetries: 6, backoffMs: [1_000, 2_000, 4_000, 8_000, 16_000, RATE_LIMIT.windowMs], maxWaitMs: 120_000 },
	transient: { maxRetries: 3, backoffMs: [1_000, 2_000, 4_000] },
} as const;

/** Error codes meaning the connection was never established, so nothing reached the server. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENETDOWN',
	'UND_ERR_CONNECT_TIMEOUT',
]);

export type Failure =
	| { kind: 'http'; status: number; retryAfterMs?: number }
	| { kind: 'network'; code?: string }
	/** a 2xx that is not the answer the contract promises (./answers.ts) */
	| { kind: 'unexpected'; status: number };

export type Decision =
	| { retry: true; delayMs: number; reason: 'rateLimited' | 'transient' | 'notSent' }
	| {
			retry: false;
			reason: 'final' | 'rateLimitExhausted' | 'retryAfterTooLong' | 'transientExhausted' | 'fateUnknown';
	  };

export interface RetryCounts {
	rateLimited: number;
	transient: number;
}

export function isNotSent(failure: Failure): boolean {
	return failure.kind === 'network' && failure.code !== undefined && NOT_SENT_CODES.has(failure.code);
}

/** What to do after `failure`, given how many retries of each kind were already made. */
export function decideRetry(failure: Failure, counts: RetryCounts, idempotent: boolean): Decision {
	if (failure.kind === 'http' && failure.status === 429) {
		const { maxRetries, backoffMs, maxWaitMs } = RETRY_POLICY.rateLimit;
		if (counts.rateLimited >= maxRetries) return { retry: false, reason: 'rateLimitExhausted' };
		const delayMs = failure.retryAfterMs ?? backoffMs[Math.min(counts.rateLimited, backoffMs.length - 1)];
		if (delayMs > maxWaitMs) return { retry: false, reason: 'retryAfterTooLong' };
		return { retry: true, delayMs, reason: 'rateLimited' };
	}
	const transient = failure.kind !== 'http' || failure.status >= 500;
	if (!transient) return { retry: false, reason: 'final' };
	const { maxRetries, backoffMs } = RETRY_POLICY.transient;
	const safe = idempotent || isNotSent(failure);
	if (!safe) return { retry: false, reason: 'fateUnknown' };
	if (counts.transient >= maxRetries) return { retry: false, reason: 'transientExhausted' };
	return {
		retry: true,
		delayMs: backoffMs[Math.min(counts.transient, backoffMs.length - 1)],
		reason: idempotent ? 'transient' : 'notSent',
	};
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent/garbled. */
export function parseRetryAfter(header: unknown, now: number): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (typeof value === 'number') return Math.max(0, value * 1000);
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
	const at = Date.parse(trimmed);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

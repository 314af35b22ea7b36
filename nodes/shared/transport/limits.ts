/**
 * How long a call to G2 Sentry may take and how much of an answer is kept: one home for the
 * figures the README quotes, and the race that enforces a deadline without a timer of our own
 * (community nodes may not use setTimeout: `AbortSignal.timeout` keeps the clock).
 */

/**
 * Idle timeout handed to n8n's HTTP client: how long the connection may stay silent. It alone
 * does not end a server that sends a byte every few seconds, hence the deadline below.
 */
export const REQUEST_IDLE_TIMEOUT_MS = 30_000;

/**
 * Whole-request deadline of one attempt: connecting, a login or refresh n8n runs first, the
 * headers and the whole body. Past it the attempt counts as a connection whose answer was lost
 * (reads, updates and cancels are tried again; a create or a review is not).
 */
export const REQUEST_DEADLINE_MS = 30_000;

/**
 * Whole-request deadline of one login or refresh (shorter than REQUEST_DEADLINE_MS, so that a
 * hung login is reported as a login that failed, which the transport may safely try again).
 * Executions waiting for a login another execution started stop waiting at the same moment, and
 * the next caller starts a fresh login.
 */
export const LOGIN_DEADLINE_MS = 15_000;

/**
 * Largest answer read, in bytes (a job record, the largest answer of the contract, is a few KiB).
 * The body is read as it arrives (./answerBody.ts) and the connection closed past this, so that
 * no more is ever held. A success answer over it fails the item as unexpected ("cut"); of an
 * error answer only the start is kept (ANSWER_LIMITS in ./errors.ts bounds what messages show).
 * Logins and refreshes are read the same way.
 */
export const ANSWER_MAX_BYTES = 256 * 1024;

/** The deadlines in force. Tests running the node in-process shorten them; n8n never does. */
export const deadlines = { requestMs: REQUEST_DEADLINE_MS, loginMs: LOGIN_DEADLINE_MS };

export function configureDeadlines(next: Partial<typeof deadlines>): void {
	Object.assign(deadlines, next);
}

/** `work`, or the rejection `stop()` makes as soon as `signal` aborts (at once if it already has). */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal, stop: () => Error): Promise<T> {
	if (signal.aborted) throw stop();
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(stop());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([work, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/** A signal that aborts when any of the given ones does (undefined ones ignored). */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
	const given = signals.filter((s): s is AbortSignal => s !== undefined);
	if (given.length < 2) return given[0];
	return AbortSignal.any(given);
}

/**
 * Request options whose `abortSignal` keeps `own` when n8n assigns its execution's cancel signal
 * to it (n8n's httpRequestWithAuthentication replaces the node's signal in executions): the
 * signal read back aborts on either, so a deadline also stops the request in flight.
 */
export function keepingSignal<T extends object>(options: T, own: AbortSignal): T & { abortSignal: AbortSignal } {
	let current = own;
	const copy = { ...options } as T & { abortSignal: AbortSignal };
	Object.defineProperty(copy, 'abortSignal', {
		enumerable: true,
		configurable: true,
		get: () => current,
		set: (assigned: unknown) => {
			current = assigned instanceof AbortSignal && assigned !== own ? AbortSignal.any([own, assigned]) : own;
		},
	});
	return copy;
}

/** The network code of an attempt given up at REQUEST_DEADLINE_MS (fate unknown, like a broken connection). */
export const REQUEST_DEADLINE_CODE = 'G2S_DEADLINE';

/** The error a login that passed LOGIN_DEADLINE_MS rejects with; its code lets messages say so. */
export const LOGIN_DEADLINE_CODE = 'G2S_LOGIN_DEADLINE';

export class DeadlineError extends Error {
	constructor(
		message: string,
		readonly code: string,
	) {
		super(message);
		this.name = 'DeadlineError';
	}
}

/**
 * One call for many callers: while a call under a key is running, and for a short while after it
 * succeeded, later callers with the same key get its result instead of making their own.
 *
 * Why the credential needs it: when an access token expires, every execution and item running in
 * this n8n process gets its 401 at about the same moment and n8n runs preAuthentication for each.
 * G2 Sentry's refresh tokens work once, so only the first refresh would succeed; the others would
 * each be refused and log in again, every one of them a call against the 60-a-minute limit.
 * A failed call is forgotten at once, so the next caller tries for itself. A call still running
 * after `runMs` is forgotten too, and those waiting for it stop waiting (a DeadlineError): a login
 * that hangs must not hold every execution that needs a token.
 */
import { DeadlineError, LOGIN_DEADLINE_CODE, untilAborted } from './limits';

interface Entry {
	result: Promise<unknown>;
	/** when a settled success stops being handed out; while running, when waiting for it stops */
	until: number;
	settled: boolean;
}

const calls = new Map<string, Entry>();

export function sharedCall<T>(
	key: string,
	keepMs: number,
	call: () => Promise<T>,
	{ runMs = Number.POSITIVE_INFINITY, now = Date.now }: { runMs?: number; now?: () => number } = {},
): { result: Promise<T>; joined: boolean } {
	const at = now();
	// settled and overdue entries are dropped here, not by a timer (community nodes may not use timers)
	for (const [k, e] of calls) if (e.until <= at) calls.delete(k);
	const existing = calls.get(key);
	if (existing) {
		const result = existing.result as Promise<T>;
		if (existing.settled || !Number.isFinite(existing.until)) return { result, joined: true };
		// wait no longer than the call may run
		const timeout = AbortSignal.timeout(Math.max(1, existing.until - at));
		const overdue = () => new DeadlineError(`the shared call did not finish within ${runMs} ms`, LOGIN_DEADLINE_CODE);
		return { result: untilAborted(result, timeout, overdue), joined: true };
	}
	const entry: Entry = { result: Promise.resolve(), until: at + runMs, settled: false };
	entry.result = call().then(
		(value) => {
			entry.settled = true;
			entry.until = now() + keepMs;
			return value;
		},
		(error: unknown) => {
			entry.settled = true;
			if (calls.get(key) === entry) calls.delete(key);
			throw error;
		},
	);
	calls.set(key, entry);
	return { result: entry.result as Promise<T>, joined: false };
}

/**
 * One call for many callers: while a call under a key is running, and for a short while after it
 * succeeded, later callers with the same key get its result instead of making their own.
 *
 * Why the credential needs it: when an access token expires, every execution and item running in
 * this n8n process gets its 401 at about the same moment and n8n runs preAuthentication for each.
 * G2 Sentry's refresh tokens work once, so only the first refresh would succeed; the others would
 * each be refused and log in again, every one of them a call against the 60-a-minute limit.
 * A failed call is forgotten at once, so the next caller tries for itself.
 */
interface Entry {
	result: Promise<unknown>;
	/** when a settled success stops being handed out (Infinity while running) */
	until: number;
}

const calls = new Map<string, Entry>();

export function sharedCall<T>(key: string, keepMs: number, call: () => Promise<T>, now: () => number = Date.now): { result: Promise<T>; joined: boolean } {
	const at = now();
	// settled entries are dropped here, not by a timer (community nodes may not use timers)
	for (const [k, e] of calls) if (e.until <= at) calls.delete(k);
	const existing = calls.get(key);
	if (existing) return { result: existing.result as Promise<T>, joined: true };
	const entry: Entry = { result: Promise.resolve(), until: Number.POSITIVE_INFINITY };
	entry.result = call().then(
		(value) => {
			entry.until = now() + keepMs;
			return value;
		},
		(error: unknown) => {
			if (calls.get(key) === entry) calls.delete(key);
			throw error;
		},
	);
	calls.set(key, entry);
	return { result: entry.result as Promise<T>, joined: false };
}

/**
 * Refused callbacks are logged for the operator (a wrong secret is the usual cause), but a flood
 * of them must not cost a log line each: a forger's requests would then cost more than genuine
 * ones and fill the log. The first refusal of each reason is logged, then at most one a minute,
 * saying how many were refused in between. The same limiter keeps the node's other warnings
 * (credential unreadable, memory unreadable, previous secret still in use) to one per period.
 *
 * Limited per workflow: one noisy workflow must not silence the others. The map is bounded
 * (MAX_LOG_ENTRIES, least recently logged first out): past that bound, a flood across more
 * workflows than that costs at most one line per workflow and reason, not silence.
 * Pure apart from the module state; the caller passes `now`.
 */
export const REFUSAL_LOG_EVERY_MS = 60_000;
export const MAX_LOG_ENTRIES = 1000;

const lastLogged = new Map<string, { at: number; quiet: number }>();

/**
 * Whether to log this occurrence of `reason` in `workflow`, and how many of the same went
 * unlogged since the last line.
 */
export function toLog(workflow: string, reason: string, now: number, everyMs = REFUSAL_LOG_EVERY_MS): { log: boolean; unlogged: number } {
	const key = `${workflow}\n${reason}`;
	const entry = lastLogged.get(key);
	if (entry === undefined || now - entry.at >= everyMs || now < entry.at) {
		lastLogged.delete(key);
		lastLogged.set(key, { at: now, quiet: 0 });
		if (lastLogged.size > MAX_LOG_ENTRIES) lastLogged.delete(lastLogged.keys().next().value as string);
		return { log: true, unlogged: entry?.quiet ?? 0 };
	}
	entry.quiet++;
	return { log: false, unlogged: entry.quiet };
}

/** A refused callback: at most one line a minute per workflow and reason. */
export function refusalToLog(workflow: string, reason: string, now: number): { log: boolean; unlogged: number } {
	return toLog(workflow, `refused:${reason}`, now);
}

/** Forgets what was logged (used by tests). */
export function clearRefusalLog(): void {
	lastLogged.clear();
}

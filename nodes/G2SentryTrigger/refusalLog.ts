/**
 * Refused callbacks are logged for the operator (a wrong secret is the usual cause), but a flood
 * of them must not cost a log line each: a forger's requests would then cost more than genuine
 * ones and fill the log. The first refusal of each reason is logged, then at most one a minute,
 * saying how many were refused in between. Pure apart from the module state; the caller passes `now`.
 */
export const REFUSAL_LOG_EVERY_MS = 60_000;

const lastLogged = new Map<string, { at: number; quiet: number }>();

/** Whether to log this refusal, and how many of the same reason went unlogged since the last line. */
export function refusalToLog(reason: string, now: number): { log: boolean; unlogged: number } {
	const entry = lastLogged.get(reason);
	if (entry === undefined || now - entry.at >= REFUSAL_LOG_EVERY_MS || now < entry.at) {
		lastLogged.set(reason, { at: now, quiet: 0 });
		return { log: true, unlogged: entry?.quiet ?? 0 };
	}
	entry.quiet++;
	return { log: false, unlogged: entry.quiet };
}

/** Forgets what was logged (used by tests). */
export function clearRefusalLog(): void {
	lastLogged.clear();
}

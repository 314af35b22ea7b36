/**
 * An error and the errors it wraps (`cause`), outermost first. n8n wraps what the HTTP client
 * throws (and what the credential's preAuthentication throws) in NodeApiErrors, so the status,
 * network code or login explanation sits some links down. Stops at cycles.
 */
export function* causeChain(error: unknown): Generator<Record<string, unknown>> {
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current !== null && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		yield current as Record<string, unknown>;
		current = (current as { cause?: unknown }).cause;
	}
}

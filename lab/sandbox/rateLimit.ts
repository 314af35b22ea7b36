/** Sliding-window limiter: N requests per window per partner key, answering when to come back. */
export class RateLimiter {
	private hits = new Map<string, number[]>();

	constructor(private readonly now: () => number = Date.now) {}

	/** Counts a request; returns 0 when allowed, else the seconds to wait (for Retry-After). */
	take(key: string, limit: number, windowMs: number): number {
		const now = this.now();
		const recent = (this.hits.get(key) ?? []).filter((t) => t > now - windowMs);
		if (recent.length >= limit) {
			this.hits.set(key, recent);
			return Math.max(1, Math.ceil((recent[0] + windowMs - now) / 1000));
		}
		recent.push(now);
		this.hits.set(key, recent);
		return 0;
	}

	clear(): void {
		this.hits.clear();
	}
}

/**
 * Client-side pacing for G2 Sentry's rate limit (RATE_LIMIT in the contract, per partner key).
 *
 * A sliding-window reservation book per key: `reserve()` hands out the earliest send time at
 * which the key has had fewer than `requests` sends in the past `windowMs`, and books it at once
 * (synchronously), so concurrent callers — items, parallel executions in the same n8n process —
 * queue behind each other instead of racing. A 429 from the server blocks the key until its
 * Retry-After has passed. Pure apart from the clock, which is injectable for tests.
 */
import { RATE_LIMIT } from '../contract';

/**
 * Requests per window the node allows itself. A few below the vendor's limit leave room for the
 * login/refresh calls n8n makes on the credential's behalf, which do not pass through here.
 */
export const DEFAULT_PACING = { requests: RATE_LIMIT.requests - 5, windowMs: RATE_LIMIT.windowMs };

/** Extra spacing so that arrival-time jitter cannot squeeze one request too many into a window. */
export const guardMs = (windowMs: number) => Math.max(25, Math.ceil(windowMs / 100));

interface Book {
	sends: number[]; // booked send times, ascending (bookings are handed out in order)
	blockedUntil: number;
}

export class Pacer {
	private books = new Map<string, Book>();

	constructor(
		private limit: { requests: number; windowMs: number } = DEFAULT_PACING,
		private readonly now: () => number = Date.now,
	) {}

	configure(limit: { requests: number; windowMs: number }): void {
		this.limit = { ...limit };
		this.books.clear();
	}

	/** Books a send slot for `key` and returns how long (ms) to wait before using it. */
	reserve(key: string): number {
		const now = this.now();
		const book = this.book(key);
		const { requests, windowMs } = this.limit;
		while (book.sends.length > 0 && book.sends[0] <= now - windowMs) book.sends.shift();
		// first come, first served: never before a send already booked
		let at = Math.max(now, book.blockedUntil, book.sends[book.sends.length - 1] ?? 0);
		if (book.sends.length >= requests) {
			// the slot frees up when the send `requests` places back leaves the window — as the
			// server sees it: timers fire a little early and latencies differ, hence the guard
			at = Math.max(at, book.sends[book.sends.length - requests] + windowMs + guardMs(windowMs));
		}
		book.sends.push(at);
		return at - now;
	}

	/** After a 429: nobody sends on this key before `until`. */
	blockUntil(key: string, until: number): void {
		const book = this.book(key);
		book.blockedUntil = Math.max(book.blockedUntil, until);
	}

	private book(key: string): Book {
		let book = this.books.get(key);
		if (!book) {
			book = { sends: [], blockedUntil: 0 };
			this.books.set(key, book);
		}
		return book;
	}
}

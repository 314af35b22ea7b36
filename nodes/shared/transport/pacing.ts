/**
 * Client-side pacing for G2 Sentry's rate limit (RATE_LIMIT in the contract, per partner key).
 *
 * A sliding-window reservation book per key: `reserve()` hands out the earliest send time at
 * which the key has had fewer than `requests` sends in the past `windowMs`, and books it at once
 * (synchronously), so concurrent callers — items, parallel executions in the same n8n process —
 * queue behind each other instead of racing. A 429 from the server blocks the key until its
 * Retry-After has passed. Pure apart from the clock, which is injectable for tests.
 *
 * Every call G2 Sentry counts goes through one book: the nodes' requests (transport) and the
 * logins and refreshes n8n runs on the credential's behalf (preAuthentication). The credential
 * module and the nodes are loaded by the same n8n process from the same package, so they share
 * `sharedPacer` below, and the whole limit can be used: no requests are held back in reserve.
 */
import { RATE_LIMIT } from '../contract';

/** Requests per window the package allows itself per partner key: the vendor's limit. */
export const DEFAULT_PACING = { requests: RATE_LIMIT.requests, windowMs: RATE_LIMIT.windowMs };

/** Extra spacing so that arrival-time jitter cannot squeeze one request too many into a window. */
export const guardMs = (windowMs: number) => Math.max(25, Math.ceil(windowMs / 100));

/**
 * The requests per minute a credential allows itself: its "Requests per Minute" when that is a
 * positive whole number, else undefined. It can only lower the pacer's limit (the vendor's 60).
 */
export function requestsPerMinute(credentials: { requestsPerMinute?: unknown }): number | undefined {
	const value = credentials.requestsPerMinute;
	return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;
}

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

	/**
	 * Books a send slot for `key` and returns how long (ms) to wait before using it. `requests`
	 * lowers the configured requests per window for this key (a credential's own limit).
	 */
	reserve(key: string, requests?: number): number {
		return this.book(key, requests).wait;
	}

	/**
	 * Like reserve(), also returning the slot booked, for settle() once the call is answered.
	 * Between a slot and the server counting the request lie n8n's own work (credentials, a login)
	 * and the network: on a busy machine more than the guard.
	 */
	book(key: string, lowerLimit?: number): { wait: number; slot: number } {
		const requests = Math.min(this.limit.requests, lowerLimit ?? Number.POSITIVE_INFINITY);
		const now = this.now();
		const book = this.bookOf(key);
		const { windowMs } = this.limit;
		while (book.sends.length > 0 && book.sends[0] <= now - windowMs) book.sends.shift();
		// first come, first served: never before a send already booked
		let at = Math.max(now, book.blockedUntil, book.sends[book.sends.length - 1] ?? 0);
		if (book.sends.length >= requests) {
			// the slot frees up when the send `requests` places back leaves the window — as the
			// server sees it: timers fire a little early and latencies differ, hence the guard
			at = Math.max(at, book.sends[book.sends.length - requests] + windowMs + guardMs(windowMs));
		}
		book.sends.push(at);
		return { wait: at - now, slot: at };
	}

	/**
	 * The call booked at `slot` has been answered: the server counted it at some moment up to now,
	 * so the booking moves to now. Later slots then keep a whole window from the real count,
	 * however late the request actually left.
	 */
	settle(key: string, slot: number): void {
		const book = this.books.get(key);
		const index = book?.sends.indexOf(slot) ?? -1;
		if (!book || index < 0) return;
		book.sends[index] = Math.max(slot, this.now());
		book.sends.sort((a, b) => a - b);
	}

	/** After a 429: nobody sends on this key before `until`. */
	blockUntil(key: string, until: number): void {
		const book = this.bookOf(key);
		book.blockedUntil = Math.max(book.blockedUntil, until);
	}

	private bookOf(key: string): Book {
		let book = this.books.get(key);
		if (!book) {
			book = { sends: [], blockedUntil: 0 };
			this.books.set(key, book);
		}
		return book;
	}
}

/**
 * One book per n8n process for the nodes and the credential alike (module state: every item,
 * execution, node and login of this package in the process sees the same instance).
 */
export const sharedPacer = new Pacer();

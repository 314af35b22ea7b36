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
 * Both send through `inPacedSlot`.
 */
import { sleep } from 'n8n-workflow';

import { RATE_LIMIT } from '../contract';

/** Requests per window the package allows itself per partner key: the vendor's limit. */
export const DEFAULT_PACING = { requests: RATE_LIMIT.requests, windowMs: RATE_LIMIT.windowMs };

/**
 * Extra spacing behind a booking whose call is not answered yet: its slot is when it was meant to
 * leave, and the server counts it somewhat later (n8n's own work, the network), so a window from
 * the slot alone could let one request too many into the server's window.
 */
export const guardMs = (windowMs: number) => Math.max(25, Math.ceil(windowMs / 100));

/**
 * Spacing behind an answered booking. Its time is the answer, which the server's count precedes,
 * and the next call is counted after it leaves: a window from the answer is already a window at
 * the server. This covers only clock rounding (timers and Date.now() in whole milliseconds).
 */
export const SETTLED_MARGIN_MS = 5;

/**
 * The requests per minute a credential allows itself: its "Requests per Minute" when that is a
 * positive whole number, else undefined. It can only lower the pacer's limit (the vendor's 60).
 */
export function requestsPerMinute(credentials: { requestsPerMinute?: unknown }): number | undefined {
	const value = credentials.requestsPerMinute;
	return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;
}

interface Booking {
	/** the slot, or once answered the answer time */
	at: number;
	answered: boolean;
}

interface Book {
	sends: Booking[]; // ascending by `at`
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
		// when each booking stops counting against the window, as the server sees it at the latest
		const leaves = (b: Booking) => b.at + windowMs + (b.answered ? SETTLED_MARGIN_MS : guardMs(windowMs));
		book.sends = book.sends.filter((b) => leaves(b) > now);
		// first come, first served: never before a send already booked
		let at = Math.max(now, book.blockedUntil, book.sends[book.sends.length - 1]?.at ?? 0);
		if (book.sends.length >= requests) {
			// the slot frees up when all but `requests - 1` bookings have left the window
			const leaving = book.sends.map(leaves).sort((x, y) => y - x);
			at = Math.max(at, leaving[requests - 1]);
		}
		book.sends.push({ at, answered: false });
		return { wait: at - now, slot: at };
	}

	/**
	 * The call booked at `slot` is over: the booking moves to now, so later slots keep a whole
	 * window from the real count however late the request actually left. When the server
	 * `answered`, it counted the call before that, and the booking needs no guard any more; a call
	 * that ended without an answer (timeout, broken connection) may still be counted later and
	 * keeps it.
	 */
	settle(key: string, slot: number, answered = true): void {
		const booking = this.books.get(key)?.sends.find((b) => b.at === slot && !b.answered);
		if (!booking) return;
		booking.at = Math.max(slot, this.now());
		booking.answered = answered;
		this.books.get(key)!.sends.sort((x, y) => x.at - y.at);
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

/**
 * Runs `call` in a slot of `key`'s book in `sharedPacer`: waits for the slot (`wait`: a pause
 * that a cancel may end; plain `sleep` by default), books `following` more slots right behind it
 * for calls that come next (n8n's re-send after a token renewal), and settles the slot once the
 * call is over — as answered when `answered(result)` says G2 Sentry answered. A call that throws
 * settles as not answered: it may still be counted later, so its slot keeps the guard.
 */
export async function inPacedSlot<T>(
	key: string,
	lowerLimit: number | undefined,
	call: () => Promise<T>,
	{ following = 0, wait = sleep, answered = () => true }: { following?: number; wait?: (ms: number) => Promise<void>; answered?: (result: T) => boolean } = {},
): Promise<T> {
	const { wait: ms, slot } = sharedPacer.book(key, lowerLimit);
	for (let i = 0; i < following; i++) sharedPacer.reserve(key, lowerLimit);
	if (ms > 0) await wait(ms);
	let wasAnswered = false;
	try {
		const result = await call();
		wasAnswered = answered(result);
		return result;
	} finally {
		sharedPacer.settle(key, slot, wasAnswered);
	}
}

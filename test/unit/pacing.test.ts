/**
 * The pacer uses the partner key's whole limit, and the credential's logins and refreshes take
 * their slots from the same book as the nodes' requests (G2 Sentry counts them all).
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { G2SentryApi } from '../../credentials/G2SentryApi.credentials';
import { RATE_LIMIT } from '../../nodes/shared/contract';
import { partnerBucketKey } from '../../nodes/shared/transport/environment';
import { DEFAULT_PACING, guardMs, Pacer, requestsPerMinute, SETTLED_MARGIN_MS, sharedPacer } from '../../nodes/shared/transport/pacing';
import { RateLimiter } from '../../lab/sandbox/rateLimit';

describe('Pacer budget', () => {
	it('allows the vendor\'s full 60 a minute: no requests held in reserve', () => {
		expect(DEFAULT_PACING).toEqual({ requests: RATE_LIMIT.requests, windowMs: RATE_LIMIT.windowMs });
		const clock = 0;
		const pacer = new Pacer(DEFAULT_PACING, () => clock);
		const waits = Array.from({ length: 61 }, () => pacer.reserve('k'));
		// 56 to 60 requests used to wait a whole window; now only the 61st does
		expect(waits.slice(0, 60).every((w) => w === 0)).toBe(true);
		expect(waits[60]).toBe(RATE_LIMIT.windowMs + guardMs(RATE_LIMIT.windowMs));
	});

	it('takes a lower per-key limit from the caller (a credential with its own limit), never a higher one', () => {
		const clock = 0;
		const pacer = new Pacer({ requests: 60, windowMs: 1000 }, () => clock);
		expect([pacer.reserve('slow', 2), pacer.reserve('slow', 2)]).toEqual([0, 0]);
		expect(pacer.reserve('slow', 2)).toBe(1000 + guardMs(1000));
		// another key keeps the configured limit
		expect(Array.from({ length: 10 }, () => pacer.reserve('fast')).every((w) => w === 0)).toBe(true);
		// a credential's 60 does not lift a lower configured budget
		pacer.configure({ requests: 3, windowMs: 1000 });
		expect([1, 2, 3, 4].map(() => pacer.reserve('k', 60))[3]).toBe(1000 + guardMs(1000));
	});

	it('reads the credential\'s Requests per Minute; anything but a positive whole number leaves the configured limit', () => {
		expect(requestsPerMinute({ requestsPerMinute: 10 })).toBe(10);
		const clock = 0;
		const pacer = new Pacer({ requests: 2, windowMs: 1000 }, () => clock);
		for (const bad of [undefined, 0, -5, 2.5, '10', null, Number.NaN]) {
			expect(requestsPerMinute({ requestsPerMinute: bad })).toBeUndefined();
			// passed on as it is, it keeps the configured 2 per window
			pacer.configure({ requests: 2, windowMs: 1000 });
			const waits = [0, 1, 2].map(() => pacer.reserve('k', requestsPerMinute({ requestsPerMinute: bad })));
			expect(waits[2]).toBeGreaterThan(0);
		}
	});
});

describe('credential logins and refreshes share the nodes\' budget', () => {
	const baseUrl = 'http://127.0.0.1:1/api/v1';
	const WINDOW_MS = 300;
	let calls: Array<{ url: string; at: number }>;
	const helper = {
		helpers: {
			httpRequest: async (options: IHttpRequestOptions) => {
				calls.push({ url: String(options.url), at: Date.now() });
				// the credential asks for the full response, to read the content type (returnFullResponse)
				expect(options.returnFullResponse).toBe(true);
				return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: { accessToken: 'new-access', refreshToken: 'new-refresh' } };
			},
		},
	} as unknown as IHttpRequestHelper;
	const credentials = (extra: Record<string, unknown> = {}) =>
		({ environment: 'custom', baseUrl, partnerKey: `key-${Math.random()}`, partnerSecret: 's', requestsPerMinute: 2, ...extra }) as ICredentialDataDecryptedObject;

	beforeEach(() => {
		calls = [];
		sharedPacer.configure({ requests: 60, windowMs: WINDOW_MS });
	});
	afterAll(() => sharedPacer.configure(DEFAULT_PACING));

	it('waits for a slot before logging in when the nodes have used the window', async () => {
		const creds = credentials();
		const key = partnerBucketKey(baseUrl, creds.partnerKey);
		// the nodes sent two requests just now: the key's 2-per-window limit is used up
		sharedPacer.reserve(key, 2);
		sharedPacer.reserve(key, 2);
		const start = Date.now();
		await new G2SentryApi().preAuthentication.call(helper, creds);
		expect(calls.map((c) => c.url)).toEqual([`${baseUrl}/access/login`]);
		expect(calls[0].at - start).toBeGreaterThanOrEqual(WINDOW_MS);
	});

	it('books the login in the book, so the next request of the nodes waits for it', async () => {
		const creds = credentials();
		const key = partnerBucketKey(baseUrl, creds.partnerKey);
		sharedPacer.reserve(key, 2);
		await new G2SentryApi().preAuthentication.call(helper, creds);
		// node request + login = the limit of 2: the next node request waits a window
		expect(sharedPacer.reserve(key, 2)).toBeGreaterThan(WINDOW_MS / 2);
	});

	it('after a 401 books the refresh and the re-send n8n makes right after it', async () => {
		const creds = credentials({ accessToken: 'expired', refreshToken: 'r1', requestsPerMinute: 3 });
		const key = partnerBucketKey(baseUrl, creds.partnerKey);
		sharedPacer.reserve(key, 3); // the request that was answered 401
		await new G2SentryApi().preAuthentication.call(helper, creds);
		expect(calls.map((c) => c.url)).toEqual([`${baseUrl}/access/refresh`]);
		// 401'd request + refresh + re-send = 3: the window is full
		expect(sharedPacer.reserve(key, 3)).toBeGreaterThan(WINDOW_MS / 2);
	});
});

describe('settling a slot when the call is answered', () => {
	it('moves the booking to the answer, so a late send still gets a whole window', () => {
		let clock = 0;
		const pacer = new Pacer({ requests: 1, windowMs: 1000 }, () => clock);
		const first = pacer.book('k');
		expect(first).toEqual({ wait: 0, slot: 0 });
		// n8n's own work and the network delayed the call: answered at 700 ms
		clock = 700;
		pacer.settle('k', first.slot);
		// the next call waits a whole window from the answer (unsettled it would wait 325 ms only);
		// the server counted the first call before answering, so no guard is added to the answer
		expect(pacer.reserve('k')).toBe(1000 + SETTLED_MARGIN_MS);
	});

	it('keeps the guard behind a call not answered yet (the server counts it after its slot)', () => {
		let clock = 0;
		const pacer = new Pacer({ requests: 1, windowMs: 1000 }, () => clock);
		pacer.book('k');
		clock = 200;
		expect(pacer.reserve('k')).toBe(1000 + guardMs(1000) - 200);
	});

	it('keeps the guard behind a call that ended without an answer (it may still be counted)', () => {
		let clock = 0;
		const pacer = new Pacer({ requests: 1, windowMs: 1000 }, () => clock);
		const { slot } = pacer.book('k');
		clock = 700; // timed out
		pacer.settle('k', slot, false);
		expect(pacer.reserve('k')).toBe(1000 + guardMs(1000));
	});

	it('never moves a booking earlier, and ignores unknown slots', () => {
		let clock = 500;
		const pacer = new Pacer({ requests: 1, windowMs: 1000 }, () => clock);
		const { slot } = pacer.book('k');
		clock = 100;
		pacer.settle('k', slot);
		pacer.settle('k', 12345);
		pacer.settle('other', slot);
		expect(pacer.reserve('k')).toBe(500 + 1000 + SETTLED_MARGIN_MS - 100);
	});
});

/**
 * The pacer against the sandbox's sliding window on one simulated clock: callers book, wait, are
 * counted by the server after `toServer` ms and answered `toCaller` ms later, then settle.
 */
function simulate(run: { items: number; limit: number; callers: number; toServer: () => number; toCaller: () => number }) {
	const windowMs = 60_000;
	let clock = 0;
	const pacer = new Pacer({ requests: run.limit, windowMs }, () => clock);
	const server = new RateLimiter(() => clock);
	const counted: number[] = [];
	let rejected = 0;
	let started = 0;
	const events: Array<{ at: number; run: () => void }> = [];
	const later = (at: number, run: () => void) => {
		events.push({ at, run });
		events.sort((x, y) => x.at - y.at);
	};
	const next = () => {
		if (started++ >= run.items) return;
		const { wait, slot } = pacer.book('k');
		later(clock + wait + run.toServer(), () => {
			if (server.take('k', run.limit, windowMs) > 0) rejected++;
			else counted.push(clock);
			later(clock + run.toCaller(), () => {
				pacer.settle('k', slot);
				next();
			});
		});
	};
	for (let i = 0; i < run.callers; i++) next();
	while (events.length > 0) {
		const event = events.shift()!;
		clock = event.at;
		event.run();
	}
	const idealMs = (Math.ceil(run.items / run.limit) - 1) * windowMs;
	return { rejected, counted: counted.length, wallMs: counted[counted.length - 1] - counted[0], idealMs };
}

/** Deterministic jitter (a small LCG) so a failure can be replayed. */
function jitter(seed: number, maxMs: number): () => number {
	let state = seed;
	return () => {
		state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
		return (state / 2 ** 31) * maxMs;
	};
}

describe('the pacer against a sliding window (simulated clock)', () => {
	it('items one after another: never a 429, and each window boundary costs one round trip, not a guard', () => {
		for (const { items, limit } of [
			{ items: 200, limit: 60 },
			{ items: 15, limit: 10 },
		]) {
			const roundTripMs = 40;
			const result = simulate({ items, limit, callers: 1, toServer: () => roundTripMs / 2, toCaller: () => roundTripMs / 2 });
			expect(result).toMatchObject({ rejected: 0, counted: items });
			// the floor any client that is never refused has: the first window's items one after
			// another, then a whole window per boundary after the request `limit` places back
			const boundaries = Math.ceil(items / limit) - 1;
			const floorMs = result.idealMs + ((items - 1) % limit) * roundTripMs;
			expect(result.wallMs).toBeGreaterThanOrEqual(floorMs);
			expect(result.wallMs).toBeLessThanOrEqual(floorMs + boundaries * (roundTripMs + SETTLED_MARGIN_MS));
		}
	});

	it('parallel callers with latencies varying up to 400 ms: never a 429', () => {
		// more callers than the limit: bookings are made behind bookings whose calls are still waiting
		for (const { items, limit, callers } of [
			{ items: 130, limit: 60, callers: 4 },
			{ items: 45, limit: 10, callers: 16 },
		]) {
			for (let seed = 1; seed <= 40; seed++) {
				const result = simulate({ items, limit, callers, toServer: jitter(seed, 400), toCaller: jitter(seed * 7, 400) });
				expect(result).toMatchObject({ rejected: 0, counted: items });
				expect(result.wallMs).toBeLessThan(result.idealMs * 1.03);
			}
		}
	});
});

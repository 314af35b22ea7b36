/**
 * The pacer uses the partner key's whole limit, and the credential's logins and refreshes take
 * their slots from the same book as the nodes' requests (G2 Sentry counts them all).
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { G2SentryApi } from '../../credentials/G2SentryApi.credentials';
import { RATE_LIMIT } from '../../nodes/shared/contract';
import { partnerBucketKey } from '../../nodes/shared/transport/environment';
import { DEFAULT_PACING, guardMs, Pacer, requestsPerMinute, sharedPacer } from '../../nodes/shared/transport/pacing';
import { pacer as transportPacer } from '../../nodes/shared/transport';

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

	it('is one instance for the transport and the credential', () => {
		expect(transportPacer).toBe(sharedPacer);
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
				return { accessToken: 'new-access', refreshToken: 'new-refresh' };
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
		// the next call waits a whole window from the answer (unsettled it would wait 325 ms only)
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
		expect(pacer.reserve('k')).toBe(500 + 1000 + guardMs(1000) - 100);
	});
});

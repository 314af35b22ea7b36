import { startSandbox, type Sandbox } from '../../../lab/sandbox';
import { control, http, PartnerSession } from '../../../lab/helpers/sandboxClient';

describe('sandbox rate limit (per partner key)', () => {
	let sandbox: Sandbox;
	afterEach(() => sandbox.close());

	it('allows 60 requests a minute by default, then answers 429 with Retry-After', async () => {
		sandbox = await startSandbox({ autoDispatch: false });
		const session = await PartnerSession.login(sandbox); // request 1
		for (let i = 0; i < 59; i++) expect((await session.api('GET', '/jobs/1/status')).status).toBe(404);
		const limited = await session.api('GET', '/jobs/1/status');
		expect(limited.status).toBe(429);
		expect(limited.body).toEqual({ code: 'RATE_LIMIT_EXCEEDED', message: expect.any(String) });
		const retryAfter = Number(limited.headers.get('retry-after'));
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(60);
	});

	it('counts per partner key: another partner is not slowed down', async () => {
		sandbox = await startSandbox({ autoDispatch: false, rateLimitPerMinute: 3 });
		const a = await PartnerSession.login(sandbox);
		await a.api('GET', '/jobs/1');
		await a.api('GET', '/jobs/1');
		expect((await a.api('GET', '/jobs/1')).status).toBe(429);
		const b = await PartnerSession.login(sandbox, sandbox.otherPartner);
		expect((await b.api('GET', '/jobs/1')).status).toBe(404);
		// login and refresh of a limited partner are limited too, and a 429 does not use up the refresh token
		const login = await http(`${sandbox.baseUrl}/access/login`, { method: 'POST', body: sandbox.partner });
		expect(login.status).toBe(429);
		const refresh = await http(`${sandbox.baseUrl}/access/refresh`, { headers: { refreshToken: a.refreshToken } });
		expect(refresh.status).toBe(429);
		await control(sandbox, 'POST', '/config', { rateLimitPerMinute: 100 });
		expect((await http(`${sandbox.baseUrl}/access/refresh`, { headers: { refreshToken: a.refreshToken } })).status).toBe(200);
	});

	it('lets requests through again once the window has moved on', async () => {
		sandbox = await startSandbox({ autoDispatch: false, rateLimitPerMinute: 2, rateLimitWindowMs: 300 });
		const session = await PartnerSession.login(sandbox);
		await session.api('GET', '/jobs/1');
		expect((await session.api('GET', '/jobs/1')).status).toBe(429);
		await new Promise((r) => setTimeout(r, 350));
		expect((await session.api('GET', '/jobs/1')).status).toBe(404);
	});

	it('starts a fresh count when the limit is changed at run time (set up under one limit, measure under another)', async () => {
		sandbox = await startSandbox({ autoDispatch: false, rateLimitPerMinute: 1000 });
		const session = await PartnerSession.login(sandbox);
		for (let i = 0; i < 5; i++) await session.api('GET', '/jobs/1');
		await control(sandbox, 'POST', '/config', { rateLimitPerMinute: 3 });
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await session.api('GET', '/jobs/1')).status);
		expect(statuses).toEqual([404, 404, 404, 429]);
	});

	it('does not count unauthenticated requests against anyone', async () => {
		sandbox = await startSandbox({ autoDispatch: false, rateLimitPerMinute: 2 });
		for (let i = 0; i < 5; i++) expect((await http(`${sandbox.baseUrl}/jobs/1`)).status).toBe(401);
		const session = await PartnerSession.login(sandbox);
		expect((await session.api('GET', '/jobs/1')).status).toBe(404);
	});
});

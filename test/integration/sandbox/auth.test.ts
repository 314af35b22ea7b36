import { startSandbox, type Sandbox } from '../../../lab/sandbox';
import { control, http, PartnerSession } from '../../../lab/helpers/sandboxClient';

describe('sandbox auth: login, refresh, Bearer', () => {
	let sandbox: Sandbox;
	beforeEach(async () => {
		sandbox = await startSandbox({ autoDispatch: false });
	});
	afterEach(() => sandbox.close());

	const login = (body: unknown) => http(`${sandbox.baseUrl}/access/login`, { method: 'POST', body });
	const refresh = (token?: string) =>
		http(`${sandbox.baseUrl}/access/refresh`, { headers: token === undefined ? {} : { refreshToken: token } });

	it('logs in with key and secret and answers partnerKey, name and two distinct tokens', async () => {
		const res = await login(sandbox.partner);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toContain('application/json');
		expect(res.body).toEqual({
			partnerKey: sandbox.partner.partnerKey,
			name: 'Test Partner Company',
			accessToken: expect.any(String),
			refreshToken: expect.any(String),
		});
		expect(res.body.accessToken).not.toBe(res.body.refreshToken);
	});

	it('refuses a wrong secret, an unknown key and a missing field', async () => {
		const wrong = await login({ partnerKey: sandbox.partner.partnerKey, partnerSecret: 'nope' });
		expect(wrong.status).toBe(401);
		expect(wrong.body).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String) });
		expect(wrong.text).not.toContain(sandbox.partner.partnerSecret);
		expect((await login({ partnerKey: 'NOBODY', partnerSecret: 'x' })).status).toBe(401);
		const missing = await login({ partnerKey: sandbox.partner.partnerKey });
		expect(missing.status).toBe(400);
		expect(missing.body.errors).toEqual([{ fieldName: 'partnerSecret', message: 'is required' }]);
	});

	it('accepts a previous partner secret during its grace window', async () => {
		const rotated = await startSandbox({
			partners: [{ partnerKey: 'ROT', partnerSecret: 'sandbox-new-secret', previousPartnerSecret: 'sandbox-old-secret', name: 'Rot' }],
		});
		try {
			const old = await http(`${rotated.baseUrl}/access/login`, { method: 'POST', body: { partnerKey: 'ROT', partnerSecret: 'sandbox-old-secret' } });
			expect(old.status).toBe(200);
			expect(rotated.otherPartner.partnerKey).not.toBe('ROT');
		} finally {
			await rotated.close();
		}
	});

	it('refreshes with the refreshToken header; a used refresh token stops working', async () => {
		const session = await PartnerSession.login(sandbox);
		const first = await refresh(session.refreshToken);
		expect(first.status).toBe(200);
		expect(first.body).toEqual({
			partnerKey: sandbox.partner.partnerKey,
			name: 'Test Partner Company',
			accessToken: expect.any(String),
			refreshToken: expect.any(String),
		});
		expect(first.body.refreshToken).not.toBe(session.refreshToken);
		const reused = await refresh(session.refreshToken);
		expect(reused.status).toBe(401);
		expect(reused.body.code).toBe('UNAUTHORIZED');
		const next = await refresh(first.body.refreshToken);
		expect(next.status).toBe(200);
		// the new access token works
		const status = await http(`${sandbox.baseUrl}/jobs/1/status`, { headers: { authorization: `Bearer ${next.body.accessToken}` } });
		expect(status.status).toBe(404);
	});

	it('does not take the refresh token from the body, a cookie or the Authorization header', async () => {
		const session = await PartnerSession.login(sandbox);
		expect((await refresh()).status).toBe(401);
		const viaBearer = await http(`${sandbox.baseUrl}/access/refresh`, { headers: { authorization: `Bearer ${session.refreshToken}` } });
		expect(viaBearer.status).toBe(401);
		const viaCookie = await http(`${sandbox.baseUrl}/access/refresh`, { headers: { cookie: `refreshToken=${session.refreshToken}` } });
		expect(viaCookie.status).toBe(401);
		// and the token was not used up by those attempts
		expect((await refresh(session.refreshToken)).status).toBe(200);
	});

	it('requires a live Bearer access token on job routes', async () => {
		const session = await PartnerSession.login(sandbox);
		const none = await http(`${sandbox.baseUrl}/jobs/1`);
		expect(none.status).toBe(401);
		expect(none.headers.get('www-authenticate')).toBe('Bearer');
		expect((await http(`${sandbox.baseUrl}/jobs/1`, { headers: { authorization: 'Bearer forged' } })).status).toBe(401);
		expect((await http(`${sandbox.baseUrl}/jobs/1`, { headers: { authorization: `Basic ${session.accessToken}` } })).status).toBe(401);
		// a refresh token is not an access token
		expect((await http(`${sandbox.baseUrl}/jobs/1`, { headers: { authorization: `Bearer ${session.refreshToken}` } })).status).toBe(401);
		expect((await session.api('GET', '/jobs/1')).status).toBe(404);
	});

	it('expires access tokens after the configured lifetime, then refresh works again', async () => {
		sandbox.configure({ accessTokenTtlMs: 150 });
		const session = await PartnerSession.login(sandbox);
		expect((await session.api('GET', '/jobs/1/status')).status).toBe(404);
		await new Promise((r) => setTimeout(r, 250));
		expect((await session.api('GET', '/jobs/1/status')).status).toBe(401);
		const renewed = await refresh(session.refreshToken);
		expect(renewed.status).toBe(200);
	});

	it('expires refresh tokens after the configured lifetime', async () => {
		sandbox.configure({ refreshTokenTtlMs: 100 });
		const session = await PartnerSession.login(sandbox);
		await new Promise((r) => setTimeout(r, 200));
		expect((await refresh(session.refreshToken)).status).toBe(401);
	});

	it('uses 15 minute / 7 day lifetimes by default', async () => {
		const res = await control(sandbox, 'GET', '/config');
		expect(res.body.accessTokenTtlMs).toBe(15 * 60 * 1000);
		expect(res.body.refreshTokenTtlMs).toBe(7 * 24 * 60 * 60 * 1000);
	});

	it('expires every issued token on POST /_control/expire-tokens', async () => {
		const session = await PartnerSession.login(sandbox);
		const res = await control(sandbox, 'POST', '/expire-tokens', { which: 'access' });
		expect(res.status).toBe(200);
		expect(res.body.expired).toEqual({ access: 1, refresh: 0 });
		expect((await session.api('GET', '/jobs/1')).status).toBe(401);
		const renewed = await refresh(session.refreshToken);
		expect(renewed.status).toBe(200);
		await control(sandbox, 'POST', '/expire-tokens');
		expect((await refresh(renewed.body.refreshToken)).status).toBe(401);
		expect((await control(sandbox, 'POST', '/expire-tokens', { which: 'some' })).status).toBe(400);
	});
});

import { startSandbox } from '../../../lab/sandbox';
import { control, http, PartnerSession } from '../../../lab/helpers/sandboxClient';
import { useSandboxSession } from '../../../lab/helpers/sandboxFixture';

describe('sandbox control API (/_control)', () => {
	const f = useSandboxSession();

	it('describes itself without revealing secrets', async () => {
		const res = await control(f.sandbox, 'GET', '');
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ baseUrl: f.sandbox.baseUrl, controlUrl: f.sandbox.controlUrl, partners: [f.sandbox.partner.partnerKey, f.sandbox.otherPartner.partnerKey] });
		expect(res.body.routes.length).toBeGreaterThan(10);
		expect(res.text).not.toContain(f.sandbox.partner.partnerSecret);
		expect(res.text).not.toContain(f.sandbox.callbackSecret);
	});

	it('patches the configuration at run time and refuses invalid patches', async () => {
		const ok = await control(f.sandbox, 'POST', '/config', { rateLimitPerMinute: 5, chaos: { failureRate: 0 }, callbackUrl: 'https://example.test/hook' });
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ rateLimitPerMinute: 5, callbackUrl: 'https://example.test/hook', chaos: { failureRate: 0, duplicateDeliveries: false } });
		const bad = await control(f.sandbox, 'POST', '/config', { timeScale: 'fast', chaos: { failureRate: 2 }, nonsense: 1, callbackUrl: 'ftp://x' });
		expect(bad.status).toBe(400);
		expect(bad.body.errors.map((e: { fieldName: string }) => e.fieldName).sort()).toEqual(['callbackUrl', 'chaos.failureRate', 'nonsense', 'timeScale']);
		expect((await control(f.sandbox, 'POST', '/config', 'nope')).status).toBe(400);
		expect(() => f.sandbox.configure({ timeScale: -1 })).toThrow(/timeScale/);
	});

	it('names a misspelt key instead of ignoring it, in option groups and in control bodies', async () => {
		const config = await control(f.sandbox, 'POST', '/config', { chaos: { failurerate: 1 }, dispatch: { acceptAfter: 5 }, variants: { x: true } });
		expect(config.status).toBe(400);
		expect(config.body.errors.map((e: { fieldName: string }) => e.fieldName)).toEqual(['chaos.failurerate', 'variants.x', 'dispatch.acceptAfter']);
		expect(config.body.errors[0].message).toMatch(/failureRate/);
		expect((await control(f.sandbox, 'GET', '/config')).body.chaos.failureRate).toBe(0);
		const jobId = await f.session.createJob();
		for (const [path, body] of [
			[`/jobs/${jobId}/inside-cut-off`, { startsIn: 60_000 }],
			[`/jobs/${jobId}/transition`, { to: 'Assigned', status: 'Assigned' }],
			['/fail-next', { statuss: 503 }],
			['/expire-tokens', { kind: 'access' }],
		] as const) {
			const res = await control(f.sandbox, 'POST', path, body);
			expect([path, res.status, res.body.errors?.[0]?.fieldName]).toEqual([path, 400, Object.keys(body).at(-1)]);
		}
		expect((await control(f.sandbox, 'GET', `/jobs/${jobId}`)).body).toMatchObject({ status: 'New', insideCutOff: false });
		expect((await control(f.sandbox, 'GET', '/fail-next')).body.pending).toEqual([]);
	});

	it('refuses plain-HTTP callback URLs when allowHttpCallbacks is off, like the portal', async () => {
		await control(f.sandbox, 'POST', '/config', { allowHttpCallbacks: false });
		const res = await control(f.sandbox, 'POST', '/config', { callbackUrl: 'http://127.0.0.1:1/x' });
		expect(res.status).toBe(400);
		expect(res.body.errors[0]).toEqual({ fieldName: 'callbackUrl', message: expect.stringMatching(/HTTPS/) });
	});

	it('lists and shows raw jobs of every partner', async () => {
		const mine = await f.session.createJob();
		const other = await PartnerSession.login(f.sandbox, f.sandbox.otherPartner);
		const theirs = await other.createJob();
		const list = await control(f.sandbox, 'GET', '/jobs');
		expect(list.body.map((j: { jobId: number; partnerKey: string }) => [j.jobId, j.partnerKey])).toEqual([
			[mine, f.sandbox.partner.partnerKey],
			[theirs, f.sandbox.otherPartner.partnerKey],
		]);
		const one = await control(f.sandbox, 'GET', `/jobs/${mine}`);
		expect(one.body).toMatchObject({ jobId: mine, status: 'New', insideCutOff: false, history: [{ from: null, to: 'New', by: 'partner' }] });
		expect((await control(f.sandbox, 'GET', '/jobs/424242')).status).toBe(404);
	});

	it('moves jobs along every allowed transition and refuses the others', async () => {
		const allowed: [string, string][] = [
			['New', 'Assigned'],
			['Assigned', 'InProgress'],
			['InProgress', 'Completed'],
		];
		const jobId = await f.session.createJob();
		for (const [from, to] of allowed) {
			const res = await control(f.sandbox, 'POST', `/jobs/${jobId}/transition`, { to });
			expect([from, to, res.status, res.body.status]).toEqual([from, to, 200, to]);
		}
		const withdraw = await f.session.createJob();
		await control(f.sandbox, 'POST', `/jobs/${withdraw}/transition`, { to: 'Assigned' });
		expect((await control(f.sandbox, 'POST', `/jobs/${withdraw}/transition`, { to: 'New' })).body.status).toBe('New');
		expect((await control(f.sandbox, 'POST', `/jobs/${withdraw}/transition`, { to: 'Canceled' })).body.status).toBe('Canceled');
		const assignedCancel = await f.session.createJob();
		await control(f.sandbox, 'POST', `/jobs/${assignedCancel}/transition`, { to: 'Assigned' });
		expect((await control(f.sandbox, 'POST', `/jobs/${assignedCancel}/transition`, { to: 'Canceled' })).body.status).toBe('Canceled');

		const refused: [string[], string][] = [
			[[], 'InProgress'],
			[[], 'Completed'],
			[[], 'New'],
			[['Assigned'], 'Completed'],
			[['Assigned', 'InProgress'], 'Canceled'],
			[['Assigned', 'InProgress'], 'New'],
			[['Assigned', 'InProgress', 'Completed'], 'Canceled'],
			[['Canceled'], 'Assigned'],
		];
		for (const [path, to] of refused) {
			const id = await f.session.createJob();
			for (const step of path) await control(f.sandbox, 'POST', `/jobs/${id}/transition`, { to: step });
			const res = await control(f.sandbox, 'POST', `/jobs/${id}/transition`, { to });
			expect([path, to, res.status, res.body.code]).toEqual([path, to, 422, 'INVALID_JOB_STATE']);
		}
		expect((await control(f.sandbox, 'POST', `/jobs/${jobId}/transition`, { to: 'Done' })).status).toBe(400);
		expect((await control(f.sandbox, 'POST', '/jobs/999999/transition', { to: 'Assigned' })).status).toBe(404);
	});

	it('withdraws only Assigned jobs, and only before the cut-off', async () => {
		const jobId = await f.session.createJob();
		expect((await control(f.sandbox, 'POST', `/jobs/${jobId}/withdraw`)).status).toBe(422);
		await control(f.sandbox, 'POST', `/jobs/${jobId}/transition`, { to: 'Assigned' });
		const res = await control(f.sandbox, 'POST', `/jobs/${jobId}/withdraw`);
		expect(res.status).toBe(200);
		expect(res.body.status).toBe('New');
		expect(res.body.guardian).toBeUndefined();
		await control(f.sandbox, 'POST', `/jobs/${jobId}/transition`, { to: 'Assigned' });
		await control(f.sandbox, 'POST', `/jobs/${jobId}/inside-cut-off`);
		const late = await control(f.sandbox, 'POST', `/jobs/${jobId}/withdraw`);
		expect(late.status).toBe(422);
		expect(late.body.code).toBe('CUT_OFF_EXCEEDED');
	});

	it('puts a job inside the cut-off (default 1 h, or startsInMs)', async () => {
		const jobId = await f.session.createJob();
		const res = await control(f.sandbox, 'POST', `/jobs/${jobId}/inside-cut-off`);
		expect(res.body.insideCutOff).toBe(true);
		const startsIn = Date.parse(res.body.job.whenDate) - Date.now();
		expect(startsIn).toBeGreaterThan(55 * 60_000);
		expect(startsIn).toBeLessThanOrEqual(60 * 60_000);
		const soon = await control(f.sandbox, 'POST', `/jobs/${jobId}/inside-cut-off`, { startsInMs: 60_000 });
		expect(Date.parse(soon.body.job.whenDate) - Date.now()).toBeLessThanOrEqual(60_000);
		expect((await control(f.sandbox, 'POST', `/jobs/${jobId}/inside-cut-off`, { startsInMs: 3 * 3600_000 })).status).toBe(400);
	});

	it('records every API request with method, path, status, partner and time', async () => {
		await f.session.api('GET', '/jobs/12345');
		await http(`${f.sandbox.baseUrl}/jobs/1`);
		const res = await control(f.sandbox, 'GET', '/requests');
		expect(res.body).toEqual([
			{ method: 'POST', path: '/api/v1/access/login', status: 200, partnerKey: f.sandbox.partner.partnerKey, time: expect.any(String) },
			{ method: 'GET', path: '/api/v1/jobs/12345', status: 404, partnerKey: f.sandbox.partner.partnerKey, time: expect.any(String) },
			{ method: 'GET', path: '/api/v1/jobs/1', status: 401, partnerKey: null, time: expect.any(String) },
		]);
	});

	it('fails the next N matching requests deterministically (status, path, method)', async () => {
		const armed = await control(f.sandbox, 'POST', '/fail-next', { count: 2, status: 503, path: '*/status' });
		expect(armed.body.pending).toEqual([{ remaining: 2, status: 503, drop: false, after: false, path: '*/status', method: null }]);
		expect((await f.session.api('GET', '/jobs/1')).status).toBe(404);
		const first = await f.session.api('GET', '/jobs/1/status');
		expect(first.status).toBe(503);
		expect(first.body).toEqual({ code: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
		expect((await f.session.api('GET', '/jobs/1/status')).status).toBe(503);
		expect((await f.session.api('GET', '/jobs/1/status')).status).toBe(404);
		await control(f.sandbox, 'POST', '/fail-next', { method: 'post' });
		expect((await f.session.api('GET', '/jobs/1')).status).toBe(404);
		const created = await f.session.api('POST', '/jobs', {});
		expect(created.status).toBe(500);
		expect(created.body.code).toBe('INTERNAL_ERROR');
		const log = (await control(f.sandbox, 'GET', '/requests')).body;
		expect(log.filter((r: { injected?: string }) => r.injected === 'status').length).toBe(3);
		expect((await control(f.sandbox, 'POST', '/fail-next', { status: 404 })).status).toBe(400);
		expect((await control(f.sandbox, 'POST', '/fail-next', { path: '*'.repeat(201) })).status).toBe(400);
	});

	it('answers 429 with Retry-After, or slows an answer down without failing it, on demand', async () => {
		await control(f.sandbox, 'POST', '/fail-next', { status: 429, retryAfterSeconds: 3, path: '*/status' });
		const limited = await f.session.api('GET', '/jobs/1/status');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
		expect(limited.body.code).toBe('RATE_LIMIT_EXCEEDED');
		const armed = await control(f.sandbox, 'POST', '/fail-next', { delayMs: 400, path: '*/status' });
		expect(armed.body.pending).toEqual([{ remaining: 1, status: null, drop: false, after: false, delayMs: 400, path: '*/status', method: null }]);
		const started = Date.now();
		expect((await f.session.api('GET', '/jobs/1/status')).status).toBe(404); // handled normally, just late
		expect(Date.now() - started).toBeGreaterThanOrEqual(350);
		const log = (await control(f.sandbox, 'GET', '/requests')).body as Array<{ injected?: string; status: number }>;
		expect(log.slice(-2).map((r) => [r.injected, r.status])).toEqual([['status', 429], ['slow', 404]]);
		expect((await control(f.sandbox, 'POST', '/fail-next', { delayMs: 10, status: 503 })).status).toBe(400);
		expect((await control(f.sandbox, 'POST', '/fail-next', { retryAfterSeconds: -1 })).status).toBe(400);
	});

	it('lists every token it issued, across expiry and reset', async () => {
		const issued = (await control(f.sandbox, 'GET', '/tokens')).body.issued as string[];
		expect(issued).toEqual(expect.arrayContaining([f.session.accessToken, f.session.refreshToken]));
		await control(f.sandbox, 'POST', '/expire-tokens', {});
		await control(f.sandbox, 'POST', '/reset');
		expect((await control(f.sandbox, 'GET', '/tokens')).body.issued).toEqual(expect.arrayContaining(issued));
	});

	it('drops connections on demand, before or after processing', async () => {
		await control(f.sandbox, 'POST', '/fail-next', { drop: true, path: '*/jobs' });
		await expect(f.session.api('POST', '/jobs', { name: 'x' })).rejects.toThrow();
		expect((await control(f.sandbox, 'GET', '/jobs')).body).toHaveLength(0);
		// after: the job is created but the answer is lost, as when a proxy drops the response
		await control(f.sandbox, 'POST', '/fail-next', { drop: true, after: true, path: '*/jobs' });
		const { validJob } = await import('../../../lab/helpers/sandboxClient');
		await expect(f.session.api('POST', '/jobs', validJob())).rejects.toThrow();
		expect((await control(f.sandbox, 'GET', '/jobs')).body).toHaveLength(1);
		const log = (await control(f.sandbox, 'GET', '/requests')).body;
		expect(log.filter((r: { injected?: string }) => r.injected === 'drop')).toHaveLength(2);
	});

	it('lists and clears pending failure rules', async () => {
		await control(f.sandbox, 'POST', '/fail-next', { count: 3 });
		expect((await control(f.sandbox, 'GET', '/fail-next')).body.pending).toHaveLength(1);
		await control(f.sandbox, 'DELETE', '/fail-next');
		expect((await f.session.api('GET', '/jobs/1')).status).toBe(404);
	});

	it('resets jobs, tokens, requests, rules and configuration', async () => {
		const jobId = await f.session.createJob();
		await control(f.sandbox, 'POST', '/config', { rateLimitPerMinute: 7 });
		await control(f.sandbox, 'POST', '/fail-next', { count: 5, path: 'never-matches' });
		const res = await control(f.sandbox, 'POST', '/reset');
		expect(res.body.code).toBe('SUCCESS');
		expect((await control(f.sandbox, 'GET', '/jobs')).body).toEqual([]);
		expect((await control(f.sandbox, 'GET', '/requests')).body).toEqual([]);
		expect((await control(f.sandbox, 'GET', '/fail-next')).body.pending).toEqual([]);
		expect((await control(f.sandbox, 'GET', '/config')).body.rateLimitPerMinute).toBe(60);
		expect((await f.session.api('GET', '/jobs/1')).status).toBe(401);
		const fresh = await PartnerSession.login(f.sandbox);
		// ids keep rising, so events from before the reset never share a dedupe key with later ones
		expect(await fresh.createJob()).toBeGreaterThan(jobId);
	});

	it('refuses invalid start-up options with the same checks', async () => {
		await expect(startSandbox({ rateLimitPerMinute: 0 })).rejects.toThrow(/rateLimitPerMinute/);
		await expect(startSandbox({ chaos: { failureRate: 3 } })).rejects.toThrow(/chaos.failureRate/);
		await expect(startSandbox({ callbackUrl: 'http://x.test/h', allowHttpCallbacks: false })).rejects.toThrow(/HTTPS/);
		await expect(
			startSandbox({ partners: [{ partnerKey: 'A', partnerSecret: 'sandbox-a' }, { partnerKey: 'A', partnerSecret: 'sandbox-b' }] }),
		).rejects.toThrow(/used twice/);
		await expect(startSandbox({ partners: [{ partnerKey: '', partnerSecret: 'sandbox-a' }] })).rejects.toThrow(/partnerKey/);
	});

	it('answers unknown control routes and wrong methods with envelopes', async () => {
		expect((await control(f.sandbox, 'GET', '/nope')).status).toBe(404);
		expect((await control(f.sandbox, 'GET', '/reset')).status).toBe(405);
		expect((await control(f.sandbox, 'POST', '/config', undefined)).status).toBe(400);
	});
});

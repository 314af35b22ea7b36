import { startSandbox } from '../../../lab/sandbox';
import { useSandboxWithReceiver } from '../../../lab/helpers/sandboxFixture';
import { control, http, PartnerSession, validJob, waitFor } from '../../../lab/helpers/sandboxClient';

describe('sandbox chaos knobs', () => {
	const f = useSandboxWithReceiver();

	it('duplicates delivered callbacks byte for byte, same signature', async () => {
		f.sandbox.configure({ chaos: { duplicateDeliveries: true } });
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		await waitFor(() => f.receiver.received.length === 2, 3000, 'two copies');
		const [a, b] = f.receiver.received;
		expect(a.raw.equals(b.raw)).toBe(true);
		expect(a.signature).toBe(b.signature);
		expect(b.signatureValid).toBe(true);
		const records = (await control(f.sandbox, 'GET', `/deliveries?jobId=${jobId}`)).body;
		expect(records.map((r: { duplicate: boolean }) => r.duplicate)).toEqual([false, true]);
	});

	it('shuffles callbacks fired close together', async () => {
		f.sandbox.configure({ chaos: { shuffleDeliveries: true, shuffleWindowMs: 200 } });
		const jobId = await f.session.createJob();
		for (const to of ['Assigned', 'InProgress', 'Completed']) await f.move(jobId, to);
		await waitFor(() => f.receiver.received.length === 3, 3000, 'three callbacks');
		const order = f.receiver.received.map((c) => c.body.eventType);
		expect([...order].sort()).toEqual(['JobAssigned', 'JobCompleted', 'JobStarted']);
		expect(order).not.toEqual(['JobAssigned', 'JobStarted', 'JobCompleted']);
		// the payload's jobStatus stays the truth whatever the order
		for (const c of f.receiver.received) {
			expect(c.body.jobStatus).toBe({ JobAssigned: 'Assigned', JobStarted: 'InProgress', JobCompleted: 'Completed' }[c.body.eventType as string]);
		}
	});

	it('pretty-prints callback bodies so that re-serialising receivers break, and still signs the exact bytes', async () => {
		f.sandbox.configure({ chaos: { prettyCallbackBodies: true } });
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		const [c] = await waitFor(() => f.receiver.received.length === 1 && f.receiver.received, 3000);
		expect(c.raw.toString()).toContain('\n  "jobId"');
		expect(c.signatureValid).toBe(true);
		expect(c.raw.toString()).not.toBe(JSON.stringify(c.body));
	});

	it('answers every API request 500/502/503 at failureRate 1, without processing it', async () => {
		f.sandbox.configure({ chaos: { failureRate: 1 } });
		const statuses = new Set<number>();
		for (let i = 0; i < 12; i++) statuses.add((await f.session.api('POST', '/jobs', {})).status);
		for (const s of statuses) expect([500, 502, 503]).toContain(s);
		expect(statuses.size).toBeGreaterThan(1);
		expect((await control(f.sandbox, 'GET', '/jobs')).body).toEqual([]);
		// the control API is never subject to chaos
		expect((await control(f.sandbox, 'POST', '/config', { chaos: { failureRate: 0 } })).status).toBe(200);
		expect((await f.session.api('GET', '/jobs/1')).status).toBe(404);
	});

	it('drops connections at dropConnectionRate 1', async () => {
		f.sandbox.configure({ chaos: { dropConnectionRate: 1 } });
		await expect(f.session.api('GET', '/jobs/1')).rejects.toThrow();
		f.sandbox.configure({ chaos: { dropConnectionRate: 0 } });
		expect((await f.session.api('GET', '/jobs/1')).status).toBe(404);
	});

	it('makes the same decisions for the same seed', async () => {
		const run = async (seed: number) => {
			const s = await startSandbox({ autoDispatch: false, chaos: { failureRate: 0.5, seed } });
			try {
				const out: number[] = [];
				for (let i = 0; i < 16; i++) out.push((await http(`${s.baseUrl}/jobs/1`)).status);
				return out;
			} finally {
				await s.close();
			}
		};
		const first = await run(42);
		expect(await run(42)).toEqual(first);
		expect(first.some((s) => s === 401)).toBe(true);
		expect(first.some((s) => s >= 500)).toBe(true);
	});

	it('issues short-lived tokens with shortTokenLifetimes (access 5 s)', async () => {
		f.sandbox.configure({ chaos: { shortTokenLifetimes: true } });
		const short = await PartnerSession.login(f.sandbox);
		expect((await short.api('GET', '/jobs/1')).status).toBe(404);
		await new Promise((r) => setTimeout(r, 5200));
		expect((await short.api('GET', '/jobs/1')).status).toBe(401);
		expect((await http(`${f.sandbox.baseUrl}/access/refresh`, { headers: { refreshToken: short.refreshToken } })).status).toBe(200);
	}, 15_000);

	it('answers 200 text/html without processing at htmlAnswerRate 1', async () => {
		f.sandbox.configure({ chaos: { htmlAnswerRate: 1 } });
		const res = await f.session.api('POST', '/jobs', validJob());
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/html/);
		expect(res.text).toMatch(/^<!doctype html>/);
		f.sandbox.configure({ chaos: { htmlAnswerRate: 0 } });
		expect((await control(f.sandbox, 'GET', '/jobs')).body).toEqual([]);
		expect((await control(f.sandbox, 'GET', '/requests')).body.some((r: { injected?: string }) => r.injected === 'html')).toBe(true);
	});

	it('pads processed answers past oversizedAnswerBytes at oversizedAnswerRate 1', async () => {
		f.sandbox.configure({ chaos: { oversizedAnswerRate: 1, oversizedAnswerBytes: 300_000 } });
		const res = await f.session.api('POST', '/jobs', validJob());
		f.sandbox.configure({ chaos: { oversizedAnswerRate: 0 } });
		expect(res.status).toBe(201);
		expect(res.text.length).toBeGreaterThan(300_000);
		expect(res.body.jobId).toEqual(expect.any(Number));
		expect((await control(f.sandbox, 'GET', '/jobs')).body).toHaveLength(1);
	});

	it('fail-next huge: the real answer with hugeAnswerBytes of padding, no Content-Length; the record counts what was sent', async () => {
		f.sandbox.configure({ chaos: { hugeAnswerBytes: 1_000_000 } });
		const jobId = await f.session.createJob();
		await control(f.sandbox, 'POST', '/fail-next', { fault: 'huge', path: '*/status' });
		const res = await f.session.api('GET', `/jobs/${jobId}/status`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-length')).toBeNull();
		expect(res.body).toMatchObject({ jobId, status: 'New', padding: 'x'.repeat(1_000_000) });
		const records = async () => ((await control(f.sandbox, 'GET', '/requests')).body as Array<{ injected?: string; bytesWritten?: number; complete?: boolean }>).filter((r) => r.injected === 'huge');
		await waitFor(async () => (await records())[0]?.bytesWritten !== undefined, 3000, 'the connection to end');
		expect(await records()).toEqual([expect.objectContaining({ status: 200, complete: true, bytesWritten: Buffer.byteLength(res.text) })]);
	});

	it('fail-next faults: an empty 200, a trickled answer, no answer at all', async () => {
		const jobId = await f.session.createJob();
		await control(f.sandbox, 'POST', '/fail-next', { fault: 'empty', path: '*/status' });
		const empty = await f.session.api('GET', `/jobs/${jobId}/status`);
		expect([empty.status, empty.text]).toEqual([200, '']);

		f.sandbox.configure({ chaos: { trickleIntervalMs: 2 } });
		await control(f.sandbox, 'POST', '/fail-next', { fault: 'trickle', path: '*/status' });
		const trickled = await f.session.api('GET', `/jobs/${jobId}/status`);
		expect(trickled.body).toEqual({ jobId, status: 'New' });

		await control(f.sandbox, 'POST', '/fail-next', { fault: 'hang', path: '*/status' });
		const hung = f.session.api('GET', `/jobs/${jobId}/status`);
		await waitFor(async () => (await control(f.sandbox, 'GET', '/requests')).body.some((r: { injected?: string }) => r.injected === 'hang'), 3000, 'the hung request');
		const outcome = await Promise.race([hung.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('still waiting'), 300))]);
		expect(outcome).toBe('still waiting');
		const injected = (await control(f.sandbox, 'GET', '/requests')).body.map((r: { injected?: string }) => r.injected).filter(Boolean);
		expect(injected).toEqual(['empty', 'trickle', 'hang']);
		hung.catch(() => {}); // ended when the sandbox closes
	});

	it('never answers a login with hangLogin, and refuses a fault combined with a status', async () => {
		f.sandbox.configure({ chaos: { hangLogin: true } });
		const login = http(`${f.sandbox.baseUrl}/access/login`, { method: 'POST', body: f.sandbox.partner });
		login.catch(() => {});
		const outcome = await Promise.race([login.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('still waiting'), 500))]);
		expect(outcome).toBe('still waiting');
		const bad = await control(f.sandbox, 'POST', '/fail-next', { fault: 'html', status: 500 });
		expect(bad.status).toBe(400);
		expect(bad.body.errors[0].fieldName).toBe('fault');
	});
});

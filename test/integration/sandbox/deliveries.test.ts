import { CALLBACK_RETRY_DELAYS_MS } from '../../../nodes/shared/contract';
import { startSandbox, type DeliveryAttempt } from '../../../lab/sandbox';
import { startCallbackReceiver } from '../../../lab/helpers/callbackReceiver';
import { useSandboxWithReceiver } from '../../../lab/helpers/sandboxFixture';
import { control, PartnerSession, waitFor } from '../../../lab/helpers/sandboxClient';

describe('sandbox callbacks: signed deliveries, retries, give-up', () => {
	const f = useSandboxWithReceiver();
	const deliveries = async (jobId?: number): Promise<DeliveryAttempt[]> =>
		(await control(f.sandbox, 'GET', `/deliveries${jobId ? `?jobId=${jobId}` : ''}`)).body;
	const arrived = (n: number) => waitFor(() => f.receiver.received.length >= n && f.receiver.received, 5000, `${n} callbacks`);

	it('POSTs each lifecycle event with the documented payload and a valid HMAC of the exact bytes', async () => {
		const jobId = await f.session.createJob({ name: 'Open house at 123 Main St' });
		await f.move(jobId, 'Assigned');
		await arrived(1);
		await f.move(jobId, 'InProgress');
		await arrived(2);
		await f.move(jobId, 'Completed');
		const got = await arrived(3);
		const phone = (await control(f.sandbox, 'GET', `/jobs/${jobId}`)).body.guardian.phone;
		expect(got.map((c) => c.body)).toEqual([
			{ jobId, eventType: 'JobAssigned', jobName: 'Open house at 123 Main St', jobStatus: 'Assigned', guardianPhone: phone },
			{ jobId, eventType: 'JobStarted', jobName: 'Open house at 123 Main St', jobStatus: 'InProgress', guardianPhone: phone },
			{ jobId, eventType: 'JobCompleted', jobName: 'Open house at 123 Main St', jobStatus: 'Completed' },
		]);
		for (const c of got) {
			expect(c.signatureValid).toBe(true);
			expect(c.signature).toMatch(/^[0-9a-f]{64}$/);
			expect(c.contentType).toBe('application/json');
		}
		const records = await deliveries(jobId);
		expect(records.map((r) => [r.eventType, r.attempt, r.status, r.outcome])).toEqual([
			['JobAssigned', 1, 200, 'delivered'],
			['JobStarted', 1, 200, 'delivered'],
			['JobCompleted', 1, 200, 'delivered'],
		]);
		// the record holds the very bytes and signature the f.receiver saw
		expect(records.map((r) => [r.body, r.signature])).toEqual(got.map((c) => [c.raw.toString('utf8'), c.signature]));
	});

	it('fires JobWithdrawed (status New, no phone) on a withdrawal and nothing on a partner cancel', async () => {
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		await control(f.sandbox, 'POST', `/jobs/${jobId}/withdraw`);
		const got = await arrived(2);
		expect(got[1].body).toEqual({ jobId, eventType: 'JobWithdrawed', jobName: expect.any(String), jobStatus: 'New' });
		await f.session.api('GET', `/jobs/${jobId}/cancel`);
		const other = await f.session.createJob();
		await f.move(other, 'Assigned');
		await arrived(3);
		expect(f.receiver.received.map((c) => c.body.eventType)).toEqual(['JobAssigned', 'JobWithdrawed', 'JobAssigned']);
	});

	it('a f.receiver with another secret sees the signature fail (the check is real)', async () => {
		f.receiver.secret = 'some-other-secret';
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		const [c] = await arrived(1);
		expect(c.signatureValid).toBe(false);
	});

	it('retries on the vendor schedule divided by the time scale, with the same bytes, then gives up', async () => {
		f.receiver.script = Array(10).fill(500);
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		const attempts = await waitFor(async () => {
			const list = await deliveries(jobId);
			return list.length === 7 && list[6].outcome !== 'failed' && list;
		}, 15_000, '7 attempts');
		expect(attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
			[1, 500, 'failed'],
			[2, 500, 'failed'],
			[3, 500, 'failed'],
			[4, 500, 'failed'],
			[5, 500, 'failed'],
			[6, 500, 'failed'],
			[7, 500, 'given-up'],
		]);
		expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
		expect(new Set(f.receiver.received.map((c) => c.raw.toString())).size).toBe(1);
		const starts = attempts.map((a) => Date.parse(a.startedAt));
		for (let i = 0; i < 6; i++) {
			const gap = starts[i + 1] - starts[i];
			const scheduled = CALLBACK_RETRY_DELAYS_MS[i] / 1000;
			expect(gap).toBeGreaterThanOrEqual(Math.floor(scheduled) - 1);
			expect(gap).toBeLessThan(scheduled + 1000);
			expect(attempts[i].nextAttemptAt).toEqual(expect.any(String));
		}
		// given up means given up: nothing more arrives
		await new Promise((r) => setTimeout(r, 300));
		expect(f.receiver.received).toHaveLength(7);
	});

	it('waits the real 1 s before the first retry when not sped up (time scale 1)', async () => {
		f.sandbox.configure({ timeScale: 1 });
		f.receiver.script = [500];
		const jobId = await f.session.createJob();
		const before = Date.now();
		await f.move(jobId, 'Assigned');
		const [first] = await waitFor(async () => {
			const failed = (await deliveries(jobId)).filter((a) => a.outcome === 'failed');
			return failed.length > 0 && failed;
		}, 5000, 'first failure');
		const wait = Date.parse(first.nextAttemptAt!) - before;
		expect(wait).toBeGreaterThanOrEqual(900);
		expect(wait).toBeLessThan(3000);
		const [, second] = await waitFor(async () => {
			const list = await deliveries(jobId);
			return list.length === 2 && list;
		}, 5000, 'the retry after 1 s');
		expect(second.outcome).toBe('delivered');
		expect(Date.parse(second.startedAt) - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(990);
	});

	it('treats non-2xx, dropped connections and refused connections as failures and recovers', async () => {
		f.receiver.script = [503, 0, 302];
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		const list = await waitFor(async () => {
			const l = await deliveries(jobId);
			return l.some((a) => a.outcome === 'delivered') && l;
		}, 5000, 'delivery');
		expect(list.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
			[1, 503, 'failed'],
			[2, null, 'failed'],
			[3, 302, 'failed'],
			[4, 200, 'delivered'],
		]);
		expect(list[1].error).toEqual(expect.any(String));

		f.sandbox.configure({ callbackUrl: 'http://127.0.0.1:1/nowhere' });
		const other = await f.session.createJob();
		await f.move(other, 'Assigned');
		const refused = await waitFor(async () => {
			const l = await deliveries(other);
			return l.length >= 2 && l;
		}, 5000, 'refused retries');
		expect(refused[0]).toMatchObject({ status: null, outcome: 'failed', error: expect.any(String) });
	});

	it('drops planned retries on reset', async () => {
		f.sandbox.configure({ timeScale: 10 });
		f.receiver.script = [500, 500];
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		await waitFor(() => f.receiver.received.length === 1, 3000, 'first attempt');
		await control(f.sandbox, 'POST', '/reset');
		await new Promise((r) => setTimeout(r, 300)); // the retry was due after 100 ms
		expect(f.receiver.received).toHaveLength(1);
		expect((await control(f.sandbox, 'GET', '/deliveries')).body).toEqual([]);
	});

	it('records a skipped delivery when no callback URL is configured', async () => {
		f.sandbox.configure({ callbackUrl: null });
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		const list = await waitFor(async () => (await deliveries(jobId)).length > 0 && deliveries(jobId), 2000);
		expect(list).toEqual([expect.objectContaining({ eventType: 'JobAssigned', url: null, signature: null, outcome: 'skipped' })]);
	});

	it('signs with the current secret after a change, and honours a per-partner callback target', async () => {
		f.sandbox.configure({ callbackSecret: 'sandbox-rotated-secret' });
		f.receiver.secret = 'sandbox-rotated-secret';
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		expect((await arrived(1))[0].signatureValid).toBe(true);

		const other = await startCallbackReceiver('sandbox-other-secret');
		const two = await startSandbox({
			autoDispatch: false,
			callbackUrl: f.receiver.url,
			partners: [
				{ partnerKey: 'A', partnerSecret: 'sandbox-a' },
				{ partnerKey: 'B', partnerSecret: 'sandbox-b', callbackUrl: other.url, callbackSecret: 'sandbox-other-secret' },
			],
		});
		try {
			const b = await PartnerSession.login(two, two.otherPartner);
			const id = await b.createJob();
			await control(two, 'POST', `/jobs/${id}/transition`, { to: 'Assigned' });
			await waitFor(() => other.received.length === 1, 3000);
			expect(other.received[0].signatureValid).toBe(true);
			expect(f.receiver.received).toHaveLength(1);
		} finally {
			await two.close();
			await other.close();
		}
	});

	it('simulates the other readings of the vendor docs on request', async () => {
		f.sandbox.configure({ variants: { cancelFiresWithdrawed: true, guardianPhoneEvents: ['JobStarted'] } });
		const jobId = await f.session.createJob();
		await f.move(jobId, 'Assigned');
		await arrived(1);
		await f.session.api('GET', `/jobs/${jobId}/cancel`);
		const got = await arrived(2);
		expect(got[0].body.guardianPhone).toBeUndefined();
		expect(got[1].body).toEqual({ jobId, eventType: 'JobWithdrawed', jobName: expect.any(String), jobStatus: 'Canceled' });
	});
});

describe('sandbox close() with a callback receiver that never answers', () => {
	it('returns promptly instead of waiting for the delivery timeout', async () => {
		const { createServer } = await import('node:http');
		const hanging = createServer(() => {
			// never answers
		});
		await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
		const port = (hanging.address() as { port: number }).port;
		const sandbox = await startSandbox({ autoDispatch: false, callbackUrl: `http://127.0.0.1:${port}/hook`, deliveryTimeoutMs: 60_000 });
		const session = await PartnerSession.login(sandbox);
		const jobId = await session.createJob();
		await control(sandbox, 'POST', `/jobs/${jobId}/transition`, { to: 'Assigned' });
		await new Promise((r) => setTimeout(r, 100));
		const started = Date.now();
		await sandbox.close();
		expect(Date.now() - started).toBeLessThan(2000);
		hanging.closeAllConnections();
		await new Promise((r) => hanging.close(r));
	});
});

import { CALLBACK_RETRY_DELAYS_MS } from '../../../nodes/shared/contract';
import { startSandbox, type DeliveryAttempt, type Sandbox } from '../../../sandbox';
import { startCallbackReceiver, type CallbackReceiver } from '../../helpers/callbackReceiver';
import { control, PartnerSession, waitFor } from '../../helpers/sandboxClient';

describe('sandbox callbacks: signed deliveries, retries, give-up', () => {
	let sandbox: Sandbox;
	let receiver: CallbackReceiver;
	let session: PartnerSession;
	beforeEach(async () => {
		receiver = await startCallbackReceiver('sandbox-callback-secret');
		sandbox = await startSandbox({ autoDispatch: false, timeScale: 1000, callbackUrl: receiver.url });
		session = await PartnerSession.login(sandbox);
	});
	afterEach(async () => {
		await sandbox.close();
		await receiver.close();
	});

	const move = (jobId: number, to: string) => control(sandbox, 'POST', `/jobs/${jobId}/transition`, { to });
	const deliveries = async (jobId?: number): Promise<DeliveryAttempt[]> =>
		(await control(sandbox, 'GET', `/deliveries${jobId ? `?jobId=${jobId}` : ''}`)).body;
	const arrived = (n: number) => waitFor(() => receiver.received.length >= n && receiver.received, 5000, `${n} callbacks`);

	it('POSTs each lifecycle event with the documented payload and a valid HMAC of the exact bytes', async () => {
		const jobId = await session.createJob({ name: 'Open house at 123 Main St' });
		await move(jobId, 'Assigned');
		await arrived(1);
		await move(jobId, 'InProgress');
		await arrived(2);
		await move(jobId, 'Completed');
		const got = await arrived(3);
		const phone = (await control(sandbox, 'GET', `/jobs/${jobId}`)).body.guardian.phone;
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
		// the record holds the very bytes and signature the receiver saw
		expect(records.map((r) => [r.body, r.signature])).toEqual(got.map((c) => [c.raw.toString('utf8'), c.signature]));
	});

	it('fires JobWithdrawed (status New, no phone) on a withdrawal and nothing on a partner cancel', async () => {
		const jobId = await session.createJob();
		await move(jobId, 'Assigned');
		await control(sandbox, 'POST', `/jobs/${jobId}/withdraw`);
		const got = await arrived(2);
		expect(got[1].body).toEqual({ jobId, eventType: 'JobWithdrawed', jobName: expect.any(String), jobStatus: 'New' });
		await session.api('GET', `/jobs/${jobId}/cancel`);
		const other = await session.createJob();
		await move(other, 'Assigned');
		await arrived(3);
		expect(receiver.received.map((c) => c.body.eventType)).toEqual(['JobAssigned', 'JobWithdrawed', 'JobAssigned']);
	});

	it('a receiver with another secret sees the signature fail (the check is real)', async () => {
		receiver.secret = 'some-other-secret';
		const jobId = await session.createJob();
		await move(jobId, 'Assigned');
		const [c] = await arrived(1);
		expect(c.signatureValid).toBe(false);
	});

	it('retries on the vendor schedule divided by the time scale, with the same bytes, then gives up', async () => {
		receiver.script = Array(10).fill(500);
		const jobId = await session.createJob();
		await move(jobId, 'Assigned');
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
		expect(new Set(receiver.received.map((c) => c.raw.toString())).size).toBe(1);
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
		expect(receiver.received).toHaveLength(7);
	});

	it('waits the real 1 s before the first retry when not sped up (time scale 1)', async () => {
		await sandbox.close();
		sandbox = await startSandbox({ autoDispatch: false, timeScale: 1, callbackUrl: receiver.url });
		session = await PartnerSession.login(sandbox);
		receiver.script = [500];
		const jobId = await session.createJob();
		const before = Date.now();
		await move(jobId, 'Assigned');
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
		receiver.script = [503, 0, 302];
		const jobId = await session.createJob();
		await move(jobId, 'Assigned');
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

		sandbox.configure({ callbackUrl: 'http://127.0.0.1:1/nowhere' });
		const other = await session.createJob();
		await move(other, 'Assigned');
		const refused = await waitFor(async () => {
			const l = await deliveries(other);
			return l.length >= 2 && l;
		}, 5000, 'refused retries');
		expect(refused[0]).toMatchObject({ status: null, outcome: 'failed', error: expect.any(String) });
	});

	it('records a skipped delivery when no callback URL is configured', async () => {
		sandbox.configure({ callbackUrl: null });
		const jobId = await session.createJob();
		await move(jobId, 'Assigned');
		const list = await waitFor(async () => (await deliveries(jobId)).length > 0 && deliveries(jobId), 2000);
		expect(list).toEqual([expect.objectContaining({ eventType: 'JobAssigned', url: null, signature: null, outcome: 'skipped' })]);
	});

	it('signs with the current secret after a change, and honours a per-partner callback target', async () => {
		sandbox.configure({ callbackSecret: 'sandbox-rotated-secret' });
		receiver.secret = 'sandbox-rotated-secret';
		const jobId = await session.createJob();
		await move(jobId, 'Assigned');
		expect((await arrived(1))[0].signatureValid).toBe(true);

		const other = await startCallbackReceiver('sandbox-other-secret');
		const two = await startSandbox({
			autoDispatch: false,
			callbackUrl: receiver.url,
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
			expect(receiver.received).toHaveLength(1);
		} finally {
			await two.close();
			await other.close();
		}
	});

	it('simulates the other readings of the vendor docs on request', async () => {
		sandbox.configure({ variants: { cancelFiresWithdrawed: true, guardianPhoneEvents: ['JobStarted'] } });
		const jobId = await session.createJob();
		await move(jobId, 'Assigned');
		await arrived(1);
		await session.api('GET', `/jobs/${jobId}/cancel`);
		const got = await arrived(2);
		expect(got[0].body.guardianPhone).toBeUndefined();
		expect(got[1].body).toEqual({ jobId, eventType: 'JobWithdrawed', jobName: expect.any(String), jobStatus: 'Canceled' });
	});
});

import { startSandbox, type Sandbox } from '../../../lab/sandbox';
import { startCallbackReceiver, type CallbackReceiver } from '../../../lab/helpers/callbackReceiver';
import { control, PartnerSession, waitFor } from '../../../lab/helpers/sandboxClient';

describe('sandbox dispatcher: simulated Guardians on a scalable clock', () => {
	let sandbox: Sandbox;
	let receiver: CallbackReceiver;
	beforeEach(async () => {
		receiver = await startCallbackReceiver('sandbox-callback-secret');
	});
	afterEach(async () => {
		await sandbox.close();
		await receiver.close();
	});

	const start = async (options: Parameters<typeof startSandbox>[0]) => {
		sandbox = await startSandbox({ callbackUrl: receiver.url, ...options });
		return PartnerSession.login(sandbox);
	};
	const rawJob = async (jobId: number) => (await control(sandbox, 'GET', `/jobs/${jobId}`)).body;

	it('runs a whole job New → Assigned → InProgress → Completed in well under a second at ×1000', async () => {
		const session = await start({ timeScale: 1000 });
		const jobId = await session.createJob();
		const done = await waitFor(async () => {
			const job = await rawJob(jobId);
			return job.status === 'Completed' && job;
		}, 5000, 'completion');
		expect(done.history.map((h: { to: string; by: string }) => [h.to, h.by])).toEqual([
			['New', 'partner'],
			['Assigned', 'dispatcher'],
			['InProgress', 'dispatcher'],
			['Completed', 'dispatcher'],
		]);
		await waitFor(() => receiver.received.length === 3, 3000, 'three callbacks');
		expect(receiver.received.map((c) => [c.body.eventType, c.body.jobStatus])).toEqual([
			['JobAssigned', 'Assigned'],
			['JobStarted', 'InProgress'],
			['JobCompleted', 'Completed'],
		]);
		expect(receiver.received.every((c) => c.signatureValid)).toBe(true);
		expect((await session.api('GET', `/jobs/${jobId}/status`)).body.status).toBe('Completed');
		expect((await session.api('POST', `/jobs/${jobId}/review`, { rate: 5 })).status).toBe(200);
	});

	it('plans steps on the scaled clock: at ×1 the first Guardian accepts after 30 s', async () => {
		const session = await start({ timeScale: 1 });
		const jobId = await session.createJob();
		const job = await rawJob(jobId);
		expect(job.nextDispatch.to).toBe('Assigned');
		const inMs = Date.parse(job.nextDispatch.at) - Date.now();
		expect(inMs).toBeGreaterThan(28_000);
		expect(inMs).toBeLessThanOrEqual(30_000);
		sandbox.configure({ timeScale: 10, dispatch: { acceptAfterMs: 1000 } });
		const next = await session.createJob();
		const inMs10 = Date.parse((await rawJob(next)).nextDispatch.at) - Date.now();
		expect(inMs10).toBeLessThanOrEqual(100);
	});

	it('lets Guardians withdraw before the cut-off (JobWithdrawed → New), then reassigns someone else', async () => {
		const session = await start({ timeScale: 1000, chaos: { withdrawRate: 1 } });
		const jobId = await session.createJob();
		const done = await waitFor(async () => {
			const job = await rawJob(jobId);
			return job.status === 'Completed' && job;
		}, 5000, 'completion');
		const statuses = done.history.map((h: { to: string }) => h.to);
		expect(statuses).toEqual(['New', 'Assigned', 'New', 'Assigned', 'New', 'Assigned', 'InProgress', 'Completed']);
		await waitFor(() => receiver.received.length === 7, 3000, 'seven callbacks');
		const events = receiver.received.map((c) => c.body.eventType);
		expect(events).toEqual(['JobAssigned', 'JobWithdrawed', 'JobAssigned', 'JobWithdrawed', 'JobAssigned', 'JobStarted', 'JobCompleted']);
		// the same (jobId, JobAssigned) key legitimately repeats for different assignments
		const phones = receiver.received.filter((c) => c.body.eventType === 'JobAssigned').map((c) => c.body.guardianPhone);
		expect(new Set(phones).size).toBe(3);
	});

	it('never withdraws inside the cut-off', async () => {
		const session = await start({ autoDispatch: false, timeScale: 1000, chaos: { withdrawRate: 1 } });
		const jobId = await session.createJob();
		await control(sandbox, 'POST', `/jobs/${jobId}/inside-cut-off`);
		await control(sandbox, 'POST', '/config', { autoDispatch: true });
		await waitFor(async () => (await rawJob(jobId)).status === 'Completed', 5000, 'completion');
		expect((await rawJob(jobId)).history.map((h: { to: string }) => h.to)).toEqual(['New', 'Assigned', 'InProgress', 'Completed']);
	});

	it('does nothing with autoDispatch off; switching it on and off starts and stops the Guardians', async () => {
		const session = await start({ autoDispatch: false, timeScale: 1000 });
		const jobId = await session.createJob();
		await new Promise((r) => setTimeout(r, 200));
		expect((await rawJob(jobId)).status).toBe('New');
		expect((await rawJob(jobId)).nextDispatch).toBeNull();
		await control(sandbox, 'POST', '/config', { autoDispatch: true, dispatch: { startAfterMs: 3_600_000 } });
		await waitFor(async () => (await rawJob(jobId)).status === 'Assigned', 3000, 'assignment');
		expect((await rawJob(jobId)).nextDispatch.to).toBe('InProgress');
		await control(sandbox, 'POST', '/config', { autoDispatch: false });
		expect((await rawJob(jobId)).nextDispatch).toBeNull();
	});

	it('stops dispatching a canceled job and follows manual transitions', async () => {
		const session = await start({ timeScale: 1, dispatch: { acceptAfterMs: 3_600_000 } });
		const canceled = await session.createJob();
		await session.api('GET', `/jobs/${canceled}/cancel`);
		expect((await rawJob(canceled)).nextDispatch).toBeNull();
		const manual = await session.createJob();
		await control(sandbox, 'POST', `/jobs/${manual}/transition`, { to: 'Assigned' });
		expect((await rawJob(manual)).nextDispatch.to).toBe('InProgress');
	});
});

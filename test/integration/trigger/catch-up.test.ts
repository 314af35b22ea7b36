/**
 * Catch-up against the sandbox: the trigger (webhook() and trigger() through n8n-core) hears some
 * callbacks, then the callbacks stop reaching it while jobs move on; after a restart, activation
 * asks G2 Sentry for the jobs it remembers and emits what they missed, once. Last, the replay after
 * a restart beside it (nodes/G2SentryTrigger/replay.ts): activation re-runs, once, the steps
 * recorded in the last 30 s before the restart, marked, without calling G2 Sentry for them.
 */
import { createHmac } from 'node:crypto';

import { catchUpSpacingMs } from '../../../nodes/G2SentryTrigger/catchUp';
import { control, waitFor } from '../../../lab/helpers/sandboxClient';
import { logs } from '../../../lab/helpers/webhook-context';
import { SANDBOX_CALLBACK_SECRET, useSandboxTrigger, type SandboxTrigger } from './sandbox-trigger';

const wire = useSandboxTrigger();
let env: SandboxTrigger;
let deactivate: (() => Promise<void>) | undefined;
afterEach(async () => {
	await deactivate?.();
	deactivate = undefined;
});

/** Catch-up only at activation, so the test sees one pass; the replay after a restart (tested last) off. */
async function setUp(parameters: Record<string, unknown> = {}) {
	env = await wire({}, { parameters: { ...parameters, options: { catchUpIntervalMinutes: 0, replayAfterRestart: false } } });
}

/** Jobs the trigger heard being assigned, then the callback URL gone (n8n unreachable). */
async function assignedThenUnreachable(count: number): Promise<number[]> {
	const jobIds: number[] = [];
	for (let i = 0; i < count; i++) jobIds.push(await env.session.createJob({ name: `Catch-up ${i}` }));
	for (const jobId of jobIds) await env.move(jobId, 'Assigned');
	await waitFor(() => env.trigger.items().length === count, 10_000, 'the assignments');
	env.sandbox.configure({ callbackUrl: null });
	return jobIds;
}

const recovered = () => env.trigger.items().filter((item) => item.recovered === true);
const apiCalls = async () =>
	((await control(env.sandbox, 'GET', '/requests')).body as Array<{ method: string; path: string }>)
		.map((r) => `${r.method} ${r.path.replace('/api/v1', '')}`)
		.filter((call) => call.startsWith('GET /jobs'));

describe('catch-up after the callbacks did not arrive', () => {
	it('emits the steps each remembered job missed, in order, once, with the job record, and nothing for the others', async () => {
		await setUp();
		const [completed, withdrawn, unchanged] = await assignedThenUnreachable(3);
		for (const to of ['InProgress', 'Completed']) await env.move(completed, to);
		await env.withdraw(withdrawn);
		const neverHeardOf = await env.session.createJob({ name: 'Never heard of' });
		await env.move(neverHeardOf, 'Assigned');
		expect(env.trigger.items().every((item) => item.recovered === false)).toBe(true);

		env.trigger.restart();
		deactivate = await env.trigger.activate();
		await waitFor(() => recovered().length === 3, 60_000, 'the recovered events');
		const steps = (jobId: number) => recovered().filter((item) => item.jobId === jobId).map((item) => [item.eventType, item.jobStatus]);
		expect(steps(completed)).toEqual([
			['JobStarted', 'InProgress'],
			['JobCompleted', 'Completed'],
		]);
		expect(steps(withdrawn)).toEqual([['JobWithdrawed', 'New']]);
		const done = recovered().find((item) => item.eventType === 'JobCompleted')!;
		expect(done).toMatchObject({ jobName: 'Catch-up 0', currentStatus: 'Completed', possibleRepeat: false, stale: false });
		expect(done.job).toMatchObject({ jobId: completed, status: 'Completed', name: 'Catch-up 0' });
		// one status per remembered unfinished job, one record per job that missed something
		await waitFor(async () => ((await apiCalls()).length >= 5 ? true : undefined), 10_000, 'the calls');
		expect((await apiCalls()).sort()).toEqual(
			[`GET /jobs/${completed}/status`, `GET /jobs/${withdrawn}/status`, `GET /jobs/${unchanged}/status`, `GET /jobs/${completed}`, `GET /jobs/${withdrawn}`].sort(),
		);

		// the vendor's late retry of a recovered event is a duplicate
		const body = JSON.stringify({ jobId: completed, eventType: 'JobCompleted', jobName: 'Catch-up 0', jobStatus: 'Completed' });
		const retry = await env.trigger.post(body, { 'x-signature': createHmac('sha256', SANDBOX_CALLBACK_SECRET).update(body).digest('hex') });
		expect(retry.json).toEqual({ status: 'duplicate' });

		// a second activation (n8n restarted again) recovers nothing it already recorded
		await deactivate();
		env.trigger.restart();
		const before = env.trigger.items().length;
		deactivate = await env.trigger.activate();
		await waitFor(async () => ((await apiCalls()).includes(`GET /jobs/${unchanged}/status`) && (await apiCalls()).length >= 6 ? true : undefined), 30_000, 'the second pass');
		expect(env.trigger.items()).toHaveLength(before);
	}, 120_000);

	it('records filtered steps but emits only the chosen events', async () => {
		await setUp({ events: ['JobCompleted'] });
		env.sandbox.configure({ callbackUrl: env.trigger.url });
		const jobId = await env.session.createJob({ name: 'Only completion' });
		await env.move(jobId, 'Assigned');
		await waitFor(async () => ((await env.deliveries()).some((d) => d.status === 200) ? true : undefined), 10_000, 'the assignment delivered');
		env.sandbox.configure({ callbackUrl: null });
		for (const to of ['InProgress', 'Completed']) await env.move(jobId, to);

		env.trigger.restart();
		deactivate = await env.trigger.activate();
		await waitFor(() => recovered().length === 1, 60_000, 'the recovered completion');
		expect(recovered()[0]).toMatchObject({ jobId, eventType: 'JobCompleted', recovered: true });
		// saved with the run: the memory knows the job ended
		const memory = env.trigger.savedStaticData()['node:G2 Sentry Trigger'] as { deliveries: { jobs: string } };
		expect(memory.deliveries.jobs).toMatch(new RegExp(`${jobId}=1\\.0\\.3\\.`));
	}, 120_000);

	it('lets the workflow be published when the Events setting is broken, with catch-up off and a warning', async () => {
		await setUp({ events: 'JobCompleted' });
		deactivate = await env.trigger.activate();
		expect(logs.some((entry) => entry.level === 'warn' && entry.message.includes('catch-up is off'))).toBe(true);
	});

	it('does nothing at activation when catch-up is switched off', async () => {
		env = await wire({}, { parameters: { options: { catchUp: false } } });
		const jobId = await env.session.createJob({ name: 'Off' });
		await env.move(jobId, 'Assigned');
		await waitFor(() => env.trigger.items().length === 1, 10_000, 'the assignment');
		env.sandbox.configure({ callbackUrl: null });
		await env.move(jobId, 'InProgress');
		const before = (await apiCalls()).length;
		deactivate = await env.trigger.activate();
		// a pass would ask at once; give it the time one request takes against the local sandbox
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		expect((await apiCalls()).length).toBe(before);
		expect(recovered()).toHaveLength(0);
	});

	it('keeps catch-up to a quarter of the requests per minute', () => {
		expect(catchUpSpacingMs(60)).toBe(4_000);
		expect(catchUpSpacingMs(20)).toBe(12_000);
		expect(catchUpSpacingMs(1)).toBe(60_000);
	});
});

const runsAfter = (from: number) => env.trigger.runs.slice(from).map((run) => run[0].map((item) => item.json));

describe('replay after a restart', () => {
	it('re-runs the steps heard just before the restart once, one run each, marked, with no API call; catch-up adds what was missed', async () => {
		env = await wire({}, { parameters: { events: [], options: { catchUpIntervalMinutes: 0 } } });
		const [started, assigned] = [await env.session.createJob({ name: 'Replay 0' }), await env.session.createJob({ name: 'Replay 1' })];
		for (const [jobId, to] of [[started, 'Assigned'], [started, 'InProgress'], [assigned, 'Assigned']] as const) await env.move(jobId, to);
		await waitFor(() => env.trigger.items().length === 3, 10_000, 'the callbacks');
		// then n8n is gone while one job completes
		env.sandbox.configure({ callbackUrl: null });
		await env.move(started, 'Completed');

		env.trigger.restart();
		const before = env.trigger.runs.length;
		deactivate = await env.trigger.activate();
		await waitFor(() => (runsAfter(before).flat().some((item) => item.eventType === 'JobCompleted') ? true : undefined), 60_000, 'catch-up');
		const replayed = runsAfter(before).filter((run) => run.every((item) => item.recoveredBecause === 'restart'));
		expect(replayed.map((run) => run.map((item) => [item.jobId, item.eventType]))).toEqual([[[started, 'JobAssigned']], [[started, 'JobStarted']], [[assigned, 'JobAssigned']]]);
		for (const item of replayed.flat()) expect(item).toMatchObject({ possibleRepeat: true, recovered: true, jobName: null, guardianPhone: null });
		const caughtUp = runsAfter(before).flat().filter((item) => item.recoveredBecause === undefined);
		expect(caughtUp.map((item) => [item.jobId, item.eventType, item.possibleRepeat])).toEqual([[started, 'JobCompleted', false]]);
		// G2 Sentry was asked only by catch-up: a status per unfinished job, a record for the one that moved
		expect((await apiCalls()).sort()).toEqual([`GET /jobs/${started}/status`, `GET /jobs/${assigned}/status`, `GET /jobs/${started}`].sort());

		// a second restart within the window re-runs what was recorded since (catch-up's JobCompleted)
		// and, as its run may have been lost the same way, the replay again (replay.ts: at most 3 times)
		await deactivate();
		env.trigger.restart();
		const again = env.trigger.runs.length;
		deactivate = await env.trigger.activate();
		await waitFor(() => (runsAfter(again).length >= 4 ? true : undefined), 10_000, 'the second replay');
		expect(runsAfter(again).flat().map((item) => [item.jobId, item.eventType, item.recoveredBecause])).toEqual([
			[started, 'JobAssigned', 'restart'],
			[started, 'JobStarted', 'restart'],
			[assigned, 'JobAssigned', 'restart'],
			[started, 'JobCompleted', 'restart'],
		]);
	});
});

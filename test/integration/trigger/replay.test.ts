/**
 * The replay after a restart against the sandbox (nodes/G2SentryTrigger/replay.ts): the trigger
 * hears real callbacks, "n8n" restarts (a new process: the in-process memory and its stamp are
 * gone), and activation re-runs, once, the steps recorded in the last 30 s before the restart,
 * marked, without calling G2 Sentry for them; catch-up beside it still emits what was missed.
 */
import { control, waitFor } from '../../helpers/sandboxClient';
import { useSandboxTrigger, type SandboxTrigger } from './sandbox-trigger';

const wire = useSandboxTrigger();
let env: SandboxTrigger;
let deactivate: (() => Promise<void>) | undefined;
afterEach(async () => {
	await deactivate?.();
	deactivate = undefined;
});

const apiCalls = async () =>
	((await control(env.sandbox, 'GET', '/requests')).body as Array<{ method: string; path: string }>)
		.map((r) => `${r.method} ${r.path.replace('/api/v1', '')}`)
		.filter((call) => call.startsWith('GET /jobs'));
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

		// a second restart re-runs only what was recorded since (catch-up's JobCompleted), not the replay
		await deactivate();
		env.trigger.restart();
		const again = env.trigger.runs.length;
		deactivate = await env.trigger.activate();
		await waitFor(() => (runsAfter(again).length >= 1 ? true : undefined), 10_000, 'the second replay');
		expect(runsAfter(again).flat().map((item) => [item.jobId, item.eventType, item.recoveredBecause])).toEqual([[started, 'JobCompleted', 'restart']]);
	});
});

/**
 * End to end, catch-up after an outage: the "email the client when the job completes" example
 * published in a real n8n, which hears jobs being assigned and started; n8n is killed (SIGKILL),
 * the jobs complete and their callbacks fail through the whole (scaled) retry schedule; n8n is
 * started again, and every remembered job's JobCompleted arrives through catch-up, marked
 * recovered, once; a clean restart right after re-runs the latest of them once, marked (the
 * replay after a restart). Also proves that n8n runs both the node's webhook and its trigger(), and what
 * the editor's test mode does with such a node.
 */
import { signCallbackBody, startSandbox, type Sandbox } from '../../lab/sandbox';
import { loadExampleWorkflows, nodeOutput, readStaticData, startN8nWithPackage, type RecordedExecution, type StartedN8n } from '../../lab/helpers/harness';
import { control, createJobDirectly, N8N_VERSION, settledExecutionsOf, SETUP_TIMEOUT_MS, waitFor, waitForExecutions } from '../../lab/helpers/e2e';

const email = loadExampleWorkflows()['email-client-when-job-completed'];
const TRIGGER = 'On job completed';
const OUTAGE_TEST_TIMEOUT_MS = 300_000;

let sandbox: Sandbox;
let env: StartedN8n;
let url: string;

beforeAll(async () => {
	// 1000× faster: the vendor's whole retry schedule (about 74 min) takes about 4.4 s
	sandbox = await startSandbox({ port: 0, autoDispatch: false, timeScale: 1000 });
	env = await startN8nWithPackage({ sandbox, version: N8N_VERSION, workflows: [email], publish: [email.id] });
	url = env.triggerUrls[email.id];
	sandbox.configure({ callbackUrl: url });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await env?.n8n.dispose();
	await sandbox?.close();
}, 60_000);

const emitted = (e: RecordedExecution) => nodeOutput(e, TRIGGER)[0]?.json ?? {};

async function lastDelivery(jobId: number, eventType: string, outcome: string): Promise<void> {
	await waitFor(`${eventType} of job ${jobId} to be ${outcome}`, async () => {
		const attempts = (await control.deliveries(sandbox, jobId)).filter((d) => d.eventType === eventType);
		return attempts.some((d) => d.outcome === outcome) ? true : undefined;
	}, 60_000);
}

/** What the trigger node has saved in n8n's database for one job (its memory, see eventStore.ts). */
function remembered(jobId: number): string | undefined {
	const node = Object.values(readStaticData(env.n8n.databaseFile, email.id))[0] as { deliveries?: { jobs?: string } } | undefined;
	return node?.deliveries?.jobs?.split(' ').find((entry) => entry.startsWith(`${jobId}=`));
}

describe(`catch-up after an outage, in a real n8n ${N8N_VERSION}`, () => {
	it('brings every remembered job\'s JobCompleted after a kill and restart, recovered, once', async () => {
		// heard by n8n: three jobs started, one only assigned (the trigger records what it filters)
		const started: number[] = [];
		for (const name of ['Outage A', 'Outage B', 'Outage C']) started.push(await createJobDirectly(sandbox, `E2E ${name}`));
		const assigned = await createJobDirectly(sandbox, 'E2E Outage D');
		// assigned and still so after the outage: asked about at every start, nothing to emit
		const unchanged = await createJobDirectly(sandbox, 'E2E Outage F');
		for (const jobId of [...started, assigned, unchanged]) {
			await control.transition(sandbox, jobId, 'Assigned');
			await lastDelivery(jobId, 'JobAssigned', 'delivered');
		}
		for (const jobId of started) {
			await control.transition(sandbox, jobId, 'InProgress');
			await lastDelivery(jobId, 'JobStarted', 'delivered');
		}
		// the memory is saved right after each answer: wait until the database holds all of it
		await waitFor('the memory saved', () => ([...started, assigned, unchanged].every((id) => remembered(id) !== undefined) ? true : undefined));

		await env.n8n.kill();
		const neverHeardOf = await createJobDirectly(sandbox, 'E2E Outage E');
		for (const to of ['Assigned', 'InProgress', 'Completed']) await control.transition(sandbox, neverHeardOf, to);
		for (const jobId of started) await control.transition(sandbox, jobId, 'Completed');
		for (const to of ['InProgress', 'Completed']) await control.transition(sandbox, assigned, to);
		for (const jobId of [...started, assigned, neverHeardOf]) await lastDelivery(jobId, 'JobCompleted', 'given-up');
		expect(await settledExecutionsOf(env.n8n, email.id)).toHaveLength(0);

		await env.n8n.start();
		await env.n8n.waitForWebhook(url);
		const expected = [...started, assigned];
		const isRecoveredCompletion = (e: RecordedExecution) => emitted(e).recovered === true && emitted(e).eventType === 'JobCompleted';
		await waitForExecutions(env.n8n, email.id, expected.length, isRecoveredCompletion, 120_000);
		// a callback the vendor still sends for a recovered event is a duplicate
		const late = JSON.stringify({ jobId: started[0], eventType: 'JobCompleted', jobName: 'E2E Outage A', jobStatus: 'Completed' });
		const retry = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-signature': signCallbackBody(late, sandbox.callbackSecret) },
			body: late,
		});
		expect(await retry.json()).toEqual({ status: 'duplicate' });

		const runs = await settledExecutionsOf(env.n8n, email.id);
		expect(runs.map((e) => emitted(e).jobId).sort()).toEqual([...expected].sort());
		for (const run of runs) {
			expect(run.status).toBe('success');
			expect(emitted(run)).toMatchObject({ eventType: 'JobCompleted', jobStatus: 'Completed', recovered: true, possibleRepeat: false });
			expect(emitted(run).job).toMatchObject({ jobId: emitted(run).jobId, status: 'Completed' });
			// the rest of the example ran on it: the client's email was composed
			expect(nodeOutput(run, 'Compose email')[0].json.to).toBe('client@example.com');
		}

		// saved with the runs: a further restart catches up nothing again
		await waitFor('the recovered events saved', () => (expected.every((id) => /^\d+=\d+\.\d+\.[2367]\./.test(remembered(id) ?? '')) ? true : undefined));
		await env.n8n.stop();
		await env.n8n.start();
		await env.n8n.waitForWebhook(url);
		const mark = (await control.requests(sandbox)).length;
		const askedSince = async () => (await control.requests(sandbox)).slice(mark).map((r) => `${r.method} ${r.path}`);
		// the pass at this start asks only about the job that is still unfinished in the memory
		await waitFor('the pass after the second start', async () =>
			(await askedSince()).includes(`GET /api/v1/jobs/${unchanged}/status`) ? true : undefined,
		60_000);
		expect((await askedSince()).filter((r) => /^GET \/api\/v1\/jobs\/\d+\/status$/.test(r))).toEqual([`GET /api/v1/jobs/${unchanged}/status`]);
		// The replay after a restart (nodes/G2SentryTrigger/replay.ts) re-runs, once, the steps
		// recorded in the 30 s before the last one: the recovered completions (catch-up records them
		// paced, so how many fall in the window varies, at least the last), marked, no API call.
		await waitForExecutions(env.n8n, email.id, expected.length + 1, () => true, 60_000);
		const after = await settledExecutionsOf(env.n8n, email.id);
		const replays = after.filter((e) => emitted(e).recoveredBecause === 'restart');
		expect(after).toHaveLength(expected.length + replays.length);
		expect(replays.length).toBeGreaterThanOrEqual(1);
		for (const run of replays) expect(emitted(run)).toMatchObject({ eventType: 'JobCompleted', recovered: true, possibleRepeat: true });
		expect(new Set(replays.map((e) => emitted(e).jobId)).size).toBe(replays.length);
		expect(replays.every((e) => expected.includes(emitted(e).jobId as number))).toBe(true);
		// the only other requests: the example's own "Get full job" in each re-run
		const records = (await askedSince()).filter((r) => /^GET \/api\/v1\/jobs\/\d+$/.test(r));
		expect(records.sort()).toEqual(replays.map((e) => `GET /api/v1/jobs/${emitted(e).jobId}`).sort());
	}, OUTAGE_TEST_TIMEOUT_MS);
});

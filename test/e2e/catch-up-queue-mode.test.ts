/**
 * Catch-up in queue mode, for real (Postgres + Redis, n8n 2.41.1): main with production webhooks
 * off (where trigger() runs), one worker, one webhook process (where webhook() runs). The webhook
 * process hears jobs being assigned, then is killed; the jobs complete and their callbacks fail
 * past the (scaled) retry schedule; the main is restarted (activation): catch-up on the main
 * reads the memory the webhook process saved, and the recovered JobCompleted runs on the worker,
 * once. The memory the main saved with the runs makes the webhook process answer a late retry as
 * a duplicate.
 */
import crypto from 'node:crypto';

import { signCallbackBody, startSandbox, type Sandbox } from '../../lab/sandbox';
import { TRIGGER_NODE, type Workflow } from '../../lab/helpers/harness';
import { QueueCluster, type QueueExecution } from '../../lab/helpers/harness/queue';
import { control, createJobDirectly, N8N_VERSION, SETUP_TIMEOUT_MS, waitFor } from '../../lab/helpers/e2e';

const TRIGGER = 'G2 Sentry Trigger';
const QUEUE_N8N_VERSION = '2.41.1';
const onQueueVersion = N8N_VERSION === QUEUE_N8N_VERSION;
if (!onQueueVersion) test.skip(`queue mode runs on n8n ${QUEUE_N8N_VERSION} only`, () => undefined);
const describeQueue = onQueueVersion ? describe : describe.skip;

const workflow: Workflow = {
	id: 'queueCatchUp0001',
	name: 'queue catch-up',
	nodes: [
		{ id: 'queue-catch-up-t', name: TRIGGER, type: TRIGGER_NODE, typeVersion: 1, position: [0, 0], webhookId: crypto.randomUUID(), parameters: { events: ['JobCompleted'], options: {} } },
	],
	connections: {},
	settings: { executionOrder: 'v1' },
	active: false,
};

type RunData = { resultData?: { runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>> } };
const emitted = (e: QueueExecution) => (e.data as RunData)?.resultData?.runData?.[TRIGGER]?.[0]?.data?.main?.[0]?.[0]?.json ?? {};

let sandbox: Sandbox;
let cluster: QueueCluster;
let url: string;

beforeAll(async () => {
	if (!onQueueVersion) return;
	sandbox = await startSandbox({ port: 0, autoDispatch: false, timeScale: 1000 });
	cluster = new QueueCluster({ sandbox, version: QUEUE_N8N_VERSION, workflows: [workflow], publish: [workflow.id], workers: 1, webhooks: 1 });
	await cluster.start();
	url = `${cluster.webhookBaseUrls[0]}/webhook/${workflow.nodes[0].webhookId}/g2sentry`;
	await cluster.webhooks[0].waitForWebhook(url);
	sandbox.configure({ callbackUrl: url });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await cluster?.dispose();
	await sandbox?.close();
}, 120_000);

async function delivery(jobId: number, eventType: string, outcome: string): Promise<void> {
	await waitFor(`${eventType} of job ${jobId} ${outcome}`, async () =>
		(await control.deliveries(sandbox, jobId)).some((d) => d.eventType === eventType && d.outcome === outcome) ? true : undefined,
	60_000);
}

describeQueue('catch-up in queue mode', () => {
	it('recovers on the main what the webhook process missed, runs it on the worker once, and the memory holds it', async () => {
		const jobIds = [await createJobDirectly(sandbox, 'Queue outage A'), await createJobDirectly(sandbox, 'Queue outage B')];
		for (const jobId of jobIds) {
			await control.transition(sandbox, jobId, 'Assigned');
			await delivery(jobId, 'JobAssigned', 'delivered');
		}
		const memory = async () => {
			const node = Object.values(await cluster.staticData(workflow.id))[0] as { deliveries?: { jobs?: string } } | undefined;
			return node?.deliveries?.jobs ?? '';
		};
		const holds = async (flags: string) => {
			const saved = await memory();
			return jobIds.every((id) => new RegExp(`(^| )${id}=\\d+\\.\\d+\\.${flags}\\.`).test(saved)) ? true : undefined;
		};
		await waitFor('the assignments saved', () => holds('0'));

		await cluster.webhooks[0].kill();
		for (const jobId of jobIds) for (const to of ['InProgress', 'Completed']) await control.transition(sandbox, jobId, to);
		for (const jobId of jobIds) await delivery(jobId, 'JobCompleted', 'given-up');

		await cluster.main!.stop();
		await cluster.main!.start();
		const runs = await waitFor('the recovered runs', async () => {
			const done = (await cluster.executions(workflow.id)).filter((e) => e.status === 'success');
			return done.length >= jobIds.length ? done : undefined;
		}, 180_000);
		expect(runs.map((e) => emitted(e).jobId).sort()).toEqual([...jobIds].sort());
		for (const run of runs) expect(emitted(run)).toMatchObject({ eventType: 'JobCompleted', recovered: true, possibleRepeat: false });

		// saved by the main with the runs: the webhook process, started again, sees a late retry as a duplicate
		await waitFor('the recovered events saved', () => holds('[2367]'), 60_000);
		await cluster.webhooks[0].start();
		await cluster.webhooks[0].waitForWebhook(url);
		const late = JSON.stringify({ jobId: jobIds[0], eventType: 'JobCompleted', jobName: 'Queue outage A', jobStatus: 'Completed' });
		const retry = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signCallbackBody(late, sandbox.callbackSecret) }, body: late });
		expect(await retry.json()).toEqual({ status: 'duplicate' });
		expect((await cluster.executions(workflow.id)).length).toBe(jobIds.length);
	}, 600_000);
});

// Figure 5: queue mode (Postgres + Redis, main + 2 workers + a webhook process, the queue-mode
// harness): Get Status items spread over both workers against one partner key's 60/min. What the
// workers reach together, and whether any item fails.
import type { Sandbox } from '../sandbox';
import { QueueCluster } from '../helpers/harness/queue';
import { actionsWorkflow, idealWallMs, prepareSandbox, sandboxRequests, type FlowSpec, type SandboxRequest } from './actions';
import { waitFor } from './stats';

export interface QueueFigures {
	workers: number;
	executions: number;
	items: number;
	limit: number;
	itemsOk: number;
	failedItems: number;
	failedExecutions: number;
	answered429: number;
	calls: number;
	wallMs: number;
	idealMs: number;
	/** accepted requests per minute over the run (first to last request) */
	perMinute: number;
	/** the most accepted requests in any 60 s window */
	peakWindow: number;
	requests: SandboxRequest[];
}

const LIMIT = 60;

export async function measureQueue(options: { tarball: string; executions: number; itemsPerExecution: number; log: (line: string) => void }): Promise<QueueFigures> {
	const flow: FlowSpec = { id: 'queue-ours', kind: 'ours', partnerKey: 'QUEUE_OURS', partnerSecret: 'bench-secret-queue_ours', sandboxName: 'queue' };
	const prepared = await prepareSandbox({ name: 'queue', limit: LIMIT, partners: [{ partnerKey: flow.partnerKey, partnerSecret: flow.partnerSecret }, { partnerKey: 'QUEUE_SPARE', partnerSecret: 'bench-spare-secret' }] });
	const sandbox: Sandbox = prepared.sandbox;
	const workflow = actionsWorkflow([flow]);
	const cluster = new QueueCluster({ sandbox, workflows: [workflow], publish: [workflow.id], tarball: options.tarball, workers: 2, webhooks: 1, log: options.log });
	try {
		await cluster.start();
		const url = `${cluster.webhookBaseUrls[0]}/webhook/bench-${flow.id}`;
		await cluster.webhooks[0].waitForWebhook(url);
		const jobs = prepared.jobs[flow.partnerKey];
		const before = (await sandboxRequests(sandbox)).length;
		// all at once: the queue hands them to both workers
		await Promise.all(
			Array.from({ length: options.executions }, async (_, run) => {
				const jobIds = Array.from({ length: options.itemsPerExecution }, (_, i) => jobs[(run + i) % jobs.length]);
				const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobIds }) });
				if (!res.ok) throw new Error(`starting a queue-mode run: ${res.status}`);
			}),
		);
		const items = options.executions * options.itemsPerExecution;
		const runs = await waitFor(
			'the queue-mode runs',
			async () => {
				const all = await cluster.executions(workflow.id);
				return all.length >= options.executions && all.every((e) => !['new', 'running', 'waiting'].includes(e.status)) ? all : undefined;
			},
			idealWallMs(items + 2, LIMIT) + 6 * 60_000,
			2000,
		);
		const requests = (await sandboxRequests(sandbox)).slice(before).filter((r) => r.partnerKey === flow.partnerKey);
		const accepted = requests.filter((r) => r.status !== 429);
		const times = accepted.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
		const wallMs = times.length > 1 ? times[times.length - 1] - times[0] : 0;
		let peakWindow = 0;
		for (let i = 0, j = 0; i < times.length; i++) {
			while (times[i] - times[j] >= 60_000) j++;
			peakWindow = Math.max(peakWindow, i - j + 1);
		}
		const itemsOk = requests.filter((r) => r.path.endsWith('/status') && r.status === 200).length;
		return {
			workers: 2,
			executions: runs.length,
			items,
			limit: LIMIT,
			itemsOk,
			failedItems: items - itemsOk,
			failedExecutions: runs.filter((e) => e.status !== 'success').length,
			answered429: requests.length - accepted.length,
			calls: requests.length,
			wallMs,
			idealMs: idealWallMs(items, LIMIT),
			perMinute: wallMs > 0 ? (accepted.length / wallMs) * 60_000 : accepted.length,
			peakWindow,
			requests,
		};
	} finally {
		await cluster.dispose();
		await sandbox.close();
	}
}

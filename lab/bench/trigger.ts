// Figure 3: signed deliveries into our trigger against n8n's plain Webhook node in the same n8n,
// same payloads, same downstream node (a No Operation). The trigger's memory is pre-seeded in its
// static data (through the store's own functions, so a change of format is measured as it is).
import { createHmac, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { createStore, saveStore } from '../../nodes/G2SentryTrigger/eventStore';
import { recordEvent } from '../../nodes/G2SentryTrigger/events';
import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import { TRIGGER_NODE, TRIGGER_WEBHOOK_PATH, type Workflow, type WorkflowNode } from '../helpers/harness';
import { quantile } from './stats';

export interface TriggerTarget {
	name: string; // "plain" or "ours@100"
	workflow: Workflow;
	/** webhook path relative to n8n's base URL */
	path: string;
	/** remembered jobs pre-seeded (ours only) */
	seeded?: number;
}

const TRIGGER_NAME = 'G2 Sentry Trigger';

function twoNodeWorkflow(id: string, name: string, start: WorkflowNode): Workflow {
	const after: WorkflowNode = { name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} };
	return {
		id,
		name,
		nodes: [start, after],
		connections: { [start.name]: { main: [[{ node: 'After', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

export function plainTarget(): TriggerTarget {
	const path = 'bench-plain';
	const start: WorkflowNode = {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
	};
	return { name: 'plain', workflow: twoNodeWorkflow('benchPlain000000', 'bench: plain Webhook', start), path: `webhook/${path}` };
}

export function oursTarget(seeded: number, credential: { id: string; name: string }): TriggerTarget {
	const webhookId = randomUUID();
	const start: WorkflowNode = {
		name: TRIGGER_NAME,
		type: TRIGGER_NODE,
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		parameters: {},
		credentials: { [CREDENTIAL_TYPE]: credential },
	};
	const id = `benchTrig${String(seeded).padStart(7, '0')}`;
	return { name: `ours@${seeded}`, workflow: twoNodeWorkflow(id, `bench: trigger, ${seeded} jobs remembered`, start), path: `webhook/${webhookId}/${TRIGGER_WEBHOOK_PATH}`, seeded };
}

/** Static data holding `jobs` remembered jobs (each assigned once), keyed as n8n keys node data. */
export function seededStaticData(jobs: number): object {
	const store = createStore();
	const now = Date.now();
	for (let job = 1; job <= jobs; job++) {
		recordEvent(store, { jobId: job, eventType: 'JobAssigned', jobStatus: 'Assigned', guardianPhone: '+15550100' }, now - (jobs - job));
	}
	// as the node saves it
	return { [`node:${TRIGGER_NAME}`]: { deliveries: saveStore(store) } };
}

/**
 * Payloads that are all new events for the seeded jobs without adding jobs: per job, a withdrawal
 * then a new assignment, and so on (each opens a new cycle), so the memory stays at its size.
 */
export class Payloads {
	private visits = new Map<number, number>();
	private next = 0;
	/**
	 * `firstVisit`: what a job's first event is. 'withdrawal' suits pre-seeded (assigned) jobs; an
	 * empty memory starts with 'assignment', as real jobs do (a withdrawal of a job never seen,
	 * then an assignment, then the same withdrawal again is answered as a duplicate).
	 */
	constructor(
		private readonly jobs: number,
		private readonly firstVisit: 'withdrawal' | 'assignment' = 'withdrawal',
	) {}

	/** `peek`: a payload of the same shape that does not advance the sequence (for a forged one). */
	body(peek = false): Buffer {
		if (peek) return this.make((this.next % this.jobs) + 1, this.visits.get((this.next % this.jobs) + 1) ?? 0);
		const jobId = (this.next++ % this.jobs) + 1;
		const visit = this.visits.get(jobId) ?? 0;
		this.visits.set(jobId, visit + 1);
		return this.make(jobId, visit);
	}

	private make(jobId: number, visit: number): Buffer {
		const withdraw = visit % 2 === (this.firstVisit === 'withdrawal' ? 0 : 1);
		return Buffer.from(
			JSON.stringify({
				jobId,
				eventType: withdraw ? 'JobWithdrawed' : 'JobAssigned',
				jobName: `Open house at ${jobId} Elm St`,
				jobStatus: withdraw ? 'New' : 'Assigned',
				...(withdraw ? {} : { guardianPhone: `+1555${String(visit).padStart(7, '0')}` }),
			}),
		);
	}
}

export interface Delivery {
	ms: number;
	status: number;
	answer: string;
}

/** POSTs a delivery; `signature` undefined sends none; `extra` adds headers. */
export async function deliver(url: string, body: Buffer, signature: string | undefined, extra: Record<string, string> = {}): Promise<Delivery> {
	const start = performance.now();
	const headers = { 'content-type': 'application/json', ...extra, ...(signature === undefined ? {} : { 'x-signature': signature }) };
	const res = await fetch(url, { method: 'POST', headers, body });
	const answer = await res.text();
	return { ms: performance.now() - start, status: res.status, answer };
}

export const sign = (secret: string, body: Buffer) => createHmac('sha256', secret).update(body).digest('hex');

/** A forged signature: right length and form, wrong key. */
export const forge = (body: Buffer) => createHmac('sha256', 'not-the-callback-secret').update(body).digest('hex');

export interface Sample {
	latencies: number[];
	elapsedMs: number;
	count: number;
	unexpected: number;
}

const emptySample = (): Sample => ({ latencies: [], elapsedMs: 0, count: 0, unexpected: 0 });

/**
 * Sends `rounds` chunks of `chunk` deliveries to every target in turn (the order rotating each
 * round), `concurrency` at a time, so a busy moment of the machine hits every target alike.
 */
export async function measure(
	baseUrl: string,
	targets: TriggerTarget[],
	bodies: Map<string, Payloads>,
	secret: string,
	options: { rounds: number; chunk: number; concurrency: number; forged?: boolean },
): Promise<Map<string, Sample>> {
	const samples = new Map(targets.map((t) => [t.name, emptySample()]));
	for (let round = 0; round < options.rounds; round++) {
		const order = targets.map((_, i) => targets[(i + round) % targets.length]);
		for (const target of order) {
			const sample = samples.get(target.name)!;
			const payloads = bodies.get(target.name)!;
			const jobs = Array.from({ length: options.chunk }, () => payloads.body());
			const url = `${baseUrl}/${target.path}`;
			const start = performance.now();
			let index = 0;
			await Promise.all(
				Array.from({ length: Math.min(options.concurrency, jobs.length) }, async () => {
					while (index < jobs.length) {
						const body = jobs[index++];
						const signature = options.forged ? forge(body) : sign(secret, body);
						const d = await deliver(url, body, signature);
						sample.latencies.push(d.ms);
						const expected = options.forged ? d.status === 401 : d.status === 200 && (target.seeded === undefined || d.answer.includes('accepted'));
						if (!expected) sample.unexpected++;
					}
				}),
			);
			sample.elapsedMs += performance.now() - start;
			sample.count += jobs.length;
		}
	}
	return samples;
}

export interface Summary {
	p50: number;
	p95: number;
	perSecond: number;
	count: number;
	unexpected: number;
}

export function summarise(sample: Sample): Summary {
	return {
		p50: quantile(sample.latencies, 0.5),
		p95: quantile(sample.latencies, 0.95),
		perSecond: sample.elapsedMs > 0 ? (sample.count / sample.elapsedMs) * 1000 : 0,
		count: sample.count,
		unexpected: sample.unexpected,
	};
}

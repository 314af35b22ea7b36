// Figures 1 and 2: our Get Status against the flow an n8n user builds by hand (an HTTP Request
// login, then an HTTP Request per item with the token from the login's output), in one real n8n,
// each flow on its own partner key so that flows running at once never share a rate-limit bucket.
// Every number is counted where G2 Sentry would count it: at the sandbox.
import crypto from 'node:crypto';

import { startSandbox, type Sandbox } from '../sandbox';
import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import { ACTION_NODE, readExecutions, type N8nInstance, type Workflow, type WorkflowNode } from '../helpers/harness';
import { sleep, waitFor } from './stats';

export type FlowKind = 'ours' | 'hand' | 'handBatched';

export const FLOW_LABELS: Record<FlowKind, string> = {
	ours: 'ours (G2 Sentry node)',
	hand: 'by hand, no batching',
	handBatched: 'by hand, batching 1 request/s',
};

/** One flow of one scenario: its own partner key on the scenario's sandbox. */
export interface FlowSpec {
	id: string; // e.g. "rl200-ours": webhook path and node-name prefix
	kind: FlowKind;
	partnerKey: string;
	partnerSecret: string;
	sandboxName: string;
}

export interface SandboxSpec {
	name: string;
	/** the limit measured under (requests per 60 s window) */
	limit: number;
	partners: Array<{ partnerKey: string; partnerSecret: string }>;
}

const JOBS_PER_PARTNER = 5;
const SETUP_LIMIT = 100_000;

export interface PreparedSandbox {
	spec: SandboxSpec;
	sandbox: Sandbox;
	/** jobs created for each partner */
	jobs: Record<string, number[]>;
}

/** Starts a sandbox, creates a few jobs per partner under a generous limit, then sets the measured limit (a fresh count). */
export async function prepareSandbox(spec: SandboxSpec): Promise<PreparedSandbox> {
	const sandbox = await startSandbox({ autoDispatch: false, rateLimitPerMinute: SETUP_LIMIT, partners: spec.partners });
	const jobs: Record<string, number[]> = {};
	for (const partner of spec.partners) {
		const login = (await api(sandbox, 'POST', '/access/login', partner)) as { accessToken: string };
		jobs[partner.partnerKey] = [];
		for (let i = 0; i < JOBS_PER_PARTNER; i++) {
			const created = (await api(
				sandbox,
				'POST',
				'/jobs',
				{
					name: `bench job ${i + 1}`,
					whenDate: new Date(Date.now() + 48 * 3600_000).toISOString(),
					duration: 120,
					location: { address: { address1: '1 Bench Way', city: 'Albany', state: 'NY', zip: '12207' } },
				},
				login.accessToken,
			)) as { jobId: number };
			jobs[partner.partnerKey].push(created.jobId);
		}
	}
	sandbox.configure({ rateLimitPerMinute: spec.limit });
	return { spec, sandbox, jobs };
}

async function api(sandbox: Sandbox, method: string, path: string, body: unknown, token?: string): Promise<unknown> {
	const res = await fetch(`${sandbox.baseUrl}${path}`, {
		method,
		headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
		body: JSON.stringify(body),
	});
	if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
	return await res.json();
}

export interface SandboxRequest {
	method: string;
	path: string;
	status: number | null;
	partnerKey: string | null;
	time: string;
}

export async function sandboxRequests(sandbox: Sandbox): Promise<SandboxRequest[]> {
	const res = await fetch(`${sandbox.controlUrl}/requests`);
	return (await res.json()) as SandboxRequest[];
}

/** The credential n8n gets for one of our flows (limit = the scenario's, as a user would enter it). */
export function credentialFor(flow: FlowSpec, prepared: PreparedSandbox): object {
	return {
		id: credentialId(flow),
		name: `bench ${flow.id}`,
		type: CREDENTIAL_TYPE,
		data: {
			environment: 'custom',
			baseUrl: prepared.sandbox.baseUrl,
			partnerKey: flow.partnerKey,
			partnerSecret: flow.partnerSecret,
			callbackSecret: prepared.sandbox.callbackSecret,
			// the field can only lower the vendor's 60 (the calls sandbox allows more, unused by ours)
			requestsPerMinute: Math.min(prepared.spec.limit, 60),
		},
	};
}

const credentialId = (flow: FlowSpec) => `bench${crypto.createHash('sha256').update(flow.id).digest('hex').slice(0, 11)}`;

const webhookName = (flow: FlowSpec) => `${flow.id} in`;

/** One branch per flow, all in one workflow (one publish): Webhook → … → a Get Status per item. */
export function actionsWorkflow(flows: FlowSpec[]): Workflow {
	const nodes: WorkflowNode[] = [];
	const connections: Record<string, unknown> = {};
	flows.forEach((flow, row) => {
		const chain = branch(flow);
		chain.forEach((node, col) => {
			nodes.push({ ...node, position: [col * 220, row * 200] });
			if (col > 0) connections[chain[col - 1].name] = { main: [[{ node: node.name, type: 'main', index: 0 }]] };
		});
	});
	return { id: 'benchActions0001', name: 'bench: calls and rate limit', nodes, connections, settings: { executionOrder: 'v1' }, active: false };
}

function branch(flow: FlowSpec): WorkflowNode[] {
	const hook = webhookName(flow);
	const input = `$('${hook}').first().json.body`;
	const start: WorkflowNode = {
		name: hook,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: crypto.randomUUID(),
		parameters: { httpMethod: 'POST', path: `bench-${flow.id}`, responseMode: 'onReceived', options: {} },
	};
	const items: WorkflowNode = {
		name: `${flow.id} items`,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [0, 0],
		parameters: { jsCode: `return ${input}.jobIds.map((jobId) => ({ json: { jobId } }));` },
	};
	if (flow.kind === 'ours') {
		const ours: WorkflowNode = {
			name: `${flow.id} status`,
			type: ACTION_NODE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { resource: 'job', operation: 'getStatus', jobId: '={{ $json.jobId }}' },
			credentials: { [CREDENTIAL_TYPE]: { id: credentialId(flow), name: `bench ${flow.id}` } },
		};
		return [start, items, ours];
	}
	// what an n8n user builds: log in once per execution, then one request per item with the token
	const login = httpRequestNode(`${flow.id} login`, {
		method: 'POST',
		url: `={{ ${input}.baseUrl }}/access/login`,
		sendBody: true,
		specifyBody: 'keypair',
		bodyParameters: {
			parameters: [
				{ name: 'partnerKey', value: `={{ ${input}.partnerKey }}` },
				{ name: 'partnerSecret', value: `={{ ${input}.partnerSecret }}` },
			],
		},
		options: {},
	});
	const perItem = httpRequestNode(`${flow.id} status`, {
		method: 'GET',
		url: `={{ ${input}.baseUrl }}/jobs/{{ $json.jobId }}/status`,
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'Authorization', value: `=Bearer {{ $('${flow.id} login').first().json.accessToken }}` }] },
		options: flow.kind === 'handBatched' ? { batching: { batch: { batchSize: 1, batchInterval: 1000 } } } : {},
	});
	return [start, login, items, perItem];
}

const httpRequestNode = (name: string, parameters: Record<string, unknown>): WorkflowNode => ({
	name,
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.2,
	position: [0, 0],
	parameters,
});

export interface FlowRun {
	flow: FlowSpec;
	items: number;
	/** the execution's status as n8n recorded it */
	executionStatus: string;
	/** requests of this run at the sandbox (this flow's partner key) */
	requests: SandboxRequest[];
	/** item requests answered 200 */
	itemsOk: number;
	itemsFailed: number;
	answered429: number;
	/** first to last request at the sandbox, ms */
	wallMs: number;
}

/**
 * Starts the flow's branch with `items` Get Status items (cycling over the partner's jobs), waits
 * for its execution to finish, and reads what the sandbox saw of it.
 */
export async function runFlow(n8n: N8nInstance, workflowId: string, flow: FlowSpec, prepared: PreparedSandbox, items: number, timeoutMs: number): Promise<FlowRun> {
	const jobs = prepared.jobs[flow.partnerKey];
	const jobIds = Array.from({ length: items }, (_, i) => jobs[i % jobs.length]);
	// the log only grows (well below its cap here): this run's requests are what comes after
	const before = (await sandboxRequests(prepared.sandbox)).filter((r) => r.partnerKey === flow.partnerKey).length;
	const seen = new Set(readExecutions(n8n.databaseFile, n8n.runtimeDir, workflowId).map((e) => e.id));
	const res = await fetch(`${n8n.baseUrl}/webhook/bench-${flow.id}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ jobIds, baseUrl: prepared.sandbox.baseUrl, partnerKey: flow.partnerKey, partnerSecret: flow.partnerSecret }),
	});
	if (!res.ok) throw new Error(`starting ${flow.id}: ${res.status} ${await res.text()}`);
	const execution = await waitFor(
		`the execution of ${flow.id}`,
		() =>
			readExecutions(n8n.databaseFile, n8n.runtimeDir, workflowId).find(
				(e) => !seen.has(e.id) && webhookName(flow) in e.runData && !['new', 'running', 'waiting'].includes(e.status),
			),
		timeoutMs,
		1000,
	);
	await sleep(200);
	const all = (await sandboxRequests(prepared.sandbox)).filter((r) => r.partnerKey === flow.partnerKey);
	const requests = all.slice(before);
	const itemRequests = requests.filter((r) => r.path.endsWith('/status'));
	const itemsOk = itemRequests.filter((r) => r.status === 200).length;
	const times = requests.map((r) => Date.parse(r.time));
	return {
		flow,
		items,
		executionStatus: execution.status,
		requests,
		itemsOk,
		itemsFailed: items - itemsOk,
		answered429: requests.filter((r) => r.status === 429).length,
		wallMs: times.length ? Math.max(...times) - Math.min(...times) : 0,
	};
}

/** (⌈N/L⌉ − 1) × 60 s: the least time N requests can span under L per minute. */
export const idealWallMs = (items: number, limit: number) => (Math.ceil(items / limit) - 1) * 60_000;

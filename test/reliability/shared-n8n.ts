/**
 * One real n8n 2.41.1 (the packed package installed as a community package) and the sandbox it
 * talks to, shared by the real-n8n figures (R1 over HTTP, R2, R5, R7): starting n8n is the
 * slow part. Two published workflows: a G2 Sentry Trigger alone, and an action behind a Webhook.
 */
import crypto from 'node:crypto';

import { startSandbox, type Sandbox } from '../../lab/sandbox';
import { ACTION_NODE, startN8nWithPackage, TRIGGER_NODE, webhookChain, type StartedN8n, type Workflow } from '../../lab/helpers/harness';
import { evidence } from './evidence';
import { CURRENT } from './forgery-cases';
import { INSPECT_ENV } from './inspector';

export const TRIGGER_NAME = 'G2 Sentry Trigger';
export const ACTION_NAME = 'G2 Sentry';

const triggerWorkflow = (id: string, name: string): Workflow => ({
	id,
	name,
	nodes: [
		{
			id: `${id}-trigger`,
			name: TRIGGER_NAME,
			type: TRIGGER_NODE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			parameters: { events: [] },
		},
	],
	connections: {},
	settings: { executionOrder: 'v1' },
	active: false,
});

/**
 * One trigger workflow serves R1b, R2 and R7 (each counts the executions it caused, by job id or
 * by difference): every extra published workflow costs an n8n CLI start, a minute on a busy machine.
 */
const trigger = triggerWorkflow('relTriggerWf0001', 'reliability trigger (R1b, R2, R7)');
/**
 * n8n's own Webhook node beside the trigger (a second start node of the same workflow: no extra
 * publish), answering at once with nothing to evaluate: R7's reference for what n8n itself costs.
 */
export const PLAIN_WEBHOOK_NAME = 'Plain Webhook';
export const PLAIN_WEBHOOK_PATH = 'rel-plain-webhook';
trigger.nodes.push({
	id: 'relTriggerWf0001-plain',
	name: PLAIN_WEBHOOK_NAME,
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 300],
	webhookId: crypto.randomUUID(),
	parameters: { httpMethod: 'POST', path: PLAIN_WEBHOOK_PATH, responseMode: 'onReceived', options: {} },
});
export const WORKFLOWS = {
	forgery: trigger,
	chaos: trigger,
	load: trigger,
	/** Webhook → G2 Sentry "Get Status": n8n calls the Partner API, logs in, refreshes, fails */
	action: webhookChain('relActionWf00001', 'rel-action', [
		{
			id: 'rel-action-node',
			name: ACTION_NAME,
			type: ACTION_NODE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { resource: 'job', operation: 'getStatus', jobId: '={{ $json.body.jobId }}' },
		},
	]),
};

export interface SharedN8n extends StartedN8n {
	sandbox: Sandbox;
	urls: Record<keyof typeof WORKFLOWS | 'plain', string>;
}

let shared: Promise<SharedN8n> | undefined;

/** Starts the shared sandbox + n8n on first call; later calls get the same one. */
export function sharedN8n(): Promise<SharedN8n> {
	shared ??= (async () => {
		// R1b's forged requests are judged against the same current secret as R1a's
		const sandbox = await startSandbox({ port: 0, autoDispatch: false, rateLimitPerMinute: 1_000_000, callbackSecret: CURRENT });
		evidence.sandboxes.push(sandbox);
		const workflows = [...new Set(Object.values(WORKFLOWS))];
		// generous: on a shared 2-core machine under load, n8n has needed more than the default 2 min
		// with an inspector on loopback: R7 reads what a burst left on n8n's heap
		const started = await startN8nWithPackage({ sandbox, workflows, publish: workflows.map((wf) => wf.id), startTimeoutMs: 10 * 60_000, env: INSPECT_ENV });
		const actionPath = WORKFLOWS.action.nodes[0].parameters.path as string;
		return {
			...started,
			sandbox,
			urls: {
				forgery: started.triggerUrls[WORKFLOWS.forgery.id],
				chaos: started.triggerUrls[WORKFLOWS.chaos.id],
				load: started.triggerUrls[WORKFLOWS.load.id],
				action: `${started.n8n.baseUrl}/webhook/${actionPath}`,
				plain: `${started.n8n.baseUrl}/webhook/${PLAIN_WEBHOOK_PATH}`,
			},
		};
	})();
	return shared;
}

export async function disposeSharedN8n(): Promise<void> {
	if (!shared) return;
	const env = await shared.catch(() => undefined);
	await env?.n8n.dispose();
}

/** The packed package of the shared n8n when it was started (or is starting), for figures that start n8n of their own. */
export async function sharedTarball(): Promise<string | undefined> {
	if (!shared) return undefined;
	return (await shared.catch(() => undefined))?.tarball;
}

// Workflow JSON helpers shared by the demo and the e2e suite: the example workflows, pointing
// their G2 Sentry nodes at a credential, and where a published trigger listens.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { CREDENTIAL_TYPE } from '../../../credentials/G2SentryApi.credentials';
import { PACKAGE_ROOT } from './package';

/** Node and credential type names once the package is installed as a community package. */
export const ACTION_NODE = 'n8n-nodes-g2sentry.g2Sentry';
export const TRIGGER_NODE = 'n8n-nodes-g2sentry.g2SentryTrigger';
/** The action node as an AI Agent tool: n8n derives `<type>Tool` from a node with `usableAsTool`. */
export const ACTION_TOOL_NODE = `${ACTION_NODE}Tool`;
export const FORM_TRIGGER_NODE = 'n8n-nodes-base.formTrigger';
export const SEND_EMAIL_NODE = 'n8n-nodes-base.emailSend';
/** The trigger's webhook path (its description's `webhooks[0].path`). */
export const TRIGGER_WEBHOOK_PATH = 'g2sentry';
export const EXAMPLES_DIR = path.join(PACKAGE_ROOT, 'examples', 'workflows');

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	disabled?: boolean;
	[key: string]: unknown;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

export interface CredentialRef {
	id: string;
	name: string;
}

/** The example workflows, keyed by file name without `.json`. */
export function loadExampleWorkflows(dir = EXAMPLES_DIR): Record<string, Workflow> {
	const out: Record<string, Workflow> = {};
	for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
		out[file.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Workflow;
	}
	return out;
}

/** A copy of `wf` whose G2 Sentry nodes use `credential` (except those already using one in `keep`). */
export function useCredential(wf: Workflow, credential: CredentialRef, keep: ReadonlySet<string> = new Set()): Workflow {
	const copy = structuredClone(wf);
	for (const node of copy.nodes) {
		if (keep.has(node.credentials?.[CREDENTIAL_TYPE]?.id ?? '')) continue;
		if (node.type === ACTION_NODE || node.type === ACTION_TOOL_NODE || node.type === TRIGGER_NODE) {
			node.credentials = { ...node.credentials, [CREDENTIAL_TYPE]: { ...credential } };
		}
	}
	return copy;
}

/**
 * A copy whose Send Email nodes are enabled and send through `smtp` (the examples ship them
 * disabled, waiting for the user's own SMTP credential).
 */
export function sendingEmailThrough(wf: Workflow, smtp: CredentialRef): Workflow {
	const copy = structuredClone(wf);
	for (const node of copy.nodes) {
		if (node.type !== SEND_EMAIL_NODE) continue;
		node.disabled = false;
		node.credentials = { ...node.credentials, smtp: { ...smtp } };
	}
	return copy;
}

/** Node types of the examples that serve webhooks, so that n8n gives each a webhook id. */
const WEBHOOK_NODE_TYPES: ReadonlySet<string> = new Set([TRIGGER_NODE, FORM_TRIGGER_NODE, 'n8n-nodes-base.form']);

/**
 * A copy where every webhook node lacking a webhook id gets a new one. The examples ship without
 * (each installation must get its own); n8n's editor and REST API assign them when a workflow is
 * saved, but `n8n import:workflow`, which the harness uses, does not.
 */
export function withWebhookIds(wf: Workflow): Workflow {
	const copy = structuredClone(wf);
	for (const node of copy.nodes) if (!node.webhookId && WEBHOOK_NODE_TYPES.has(node.type)) node.webhookId = crypto.randomUUID();
	return copy;
}

/** A copy with a new id (and new webhook ids), so one example can be imported twice. */
export function withFreshIds(wf: Workflow, id: string): Workflow {
	const copy = structuredClone(wf);
	copy.id = id;
	for (const node of copy.nodes) if (node.webhookId) node.webhookId = crypto.randomUUID();
	return copy;
}

export function triggerNodeOf(wf: Workflow): WorkflowNode {
	const node = wf.nodes.find((n) => n.type === TRIGGER_NODE);
	if (!node) throw new Error(`workflow "${wf.name}" has no G2 Sentry Trigger node`);
	return node;
}

/** Production URL of the workflow's G2 Sentry Trigger (what goes into the portal). */
export function triggerUrl(baseUrl: string, wf: Workflow): string {
	const node = triggerNodeOf(wf);
	if (!node.webhookId) throw new Error(`trigger node "${node.name}" of "${wf.name}" has no webhookId`);
	return `${baseUrl}/webhook/${node.webhookId}/${TRIGGER_WEBHOOK_PATH}`;
}

/**
 * Production URL of the workflow's n8n Form Trigger, or undefined when it has none. The form is
 * served under /form/ at its Path option (older versions: the path parameter), else its webhookId.
 */
export function formUrl(baseUrl: string, wf: Workflow): string | undefined {
	const node = wf.nodes.find((n) => n.type === FORM_TRIGGER_NODE);
	if (!node) return undefined;
	const options = (node.parameters.options ?? {}) as { path?: string };
	const formPath = options.path || (node.parameters.path as string | undefined) || node.webhookId;
	if (!formPath) throw new Error(`form trigger "${node.name}" of "${wf.name}" has neither a path nor a webhookId`);
	return `${baseUrl}/form/${formPath}`;
}

/**
 * A copy where the Manual Trigger is replaced by a Webhook node of the same name, so a headless
 * run can start the workflow over HTTP (the JSON body becomes the item under `body`).
 */
export function manualToWebhook(wf: Workflow, webhookPath: string): Workflow {
	const copy = structuredClone(wf);
	const index = copy.nodes.findIndex((n) => n.type === 'n8n-nodes-base.manualTrigger');
	if (index < 0) throw new Error(`workflow "${wf.name}" has no Manual Trigger`);
	const manual = copy.nodes[index];
	copy.nodes[index] = {
		id: manual.id,
		name: manual.name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: manual.position,
		webhookId: crypto.randomUUID(),
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
	};
	return copy;
}

/** A webhook-started workflow for tests: Webhook → the given nodes in a chain, answering with the last node's items. */
export function webhookChain(id: string, webhookPath: string, nodes: WorkflowNode[]): Workflow {
	const start: WorkflowNode = {
		id: `${id}-in`,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: crypto.randomUUID(),
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
	const all = [start, ...nodes.map((n, i) => ({ ...n, position: [220 * (i + 1), 0] as [number, number] }))];
	const connections: Record<string, unknown> = {};
	for (let i = 0; i < all.length - 1; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name: `e2e ${webhookPath}`, nodes: all, connections, settings: { executionOrder: 'v1' }, active: false };
}

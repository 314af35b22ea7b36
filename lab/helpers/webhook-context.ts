/**
 * Runs the G2 Sentry Trigger's `webhook()` the way n8n does, through n8n-core's own
 * WebhookContext/HookContext, behind a real HTTP server (port 0): every request is a real
 * IncomingMessage/ServerResponse pair, given what n8n's request pipeline adds (rawBody,
 * readRawBody, a parsed body, Express's status/json/send), and the workflow is rebuilt from the
 * saved static data for every request and saved afterwards — as n8n loads and saves it.
 */
import './n8n-test-env';

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { HookContext, TriggerContext, WebhookContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeTypes,
	type IWebhookData,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import { G2SentryTrigger } from '../../nodes/G2SentryTrigger/G2SentryTrigger.node';
import { clearSecretsCache } from '../../nodes/G2SentryTrigger/secretsCache';
import { clearStoreCache } from '../../nodes/G2SentryTrigger/storeCache';
import { TriggerCredentialsHelper } from './trigger-credentials';
import { asExpressResponse, asN8nRequest, type ExpressResponse, type N8nRequest } from './n8n-http';

export interface LogEntry {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	meta?: unknown;
}

/** n8n-core reads its logger from the DI container; this one keeps what the node logs. */
export const logs: LogEntry[] = [];
const captureLogger = {
	error: (message: string, meta?: unknown) => logs.push({ level: 'error', message, meta }),
	warn: (message: string, meta?: unknown) => logs.push({ level: 'warn', message, meta }),
	info: (message: string, meta?: unknown) => logs.push({ level: 'info', message, meta }),
	debug: (message: string, meta?: unknown) => logs.push({ level: 'debug', message, meta }),
	scoped: () => captureLogger,
};
Container.set(Logger, captureLogger as unknown as Logger);

export interface TriggerServerOptions {
	parameters?: INodeParameters;
	/** decrypted credential data; null: the credential cannot be loaded */
	credentials?: IDataObject | null;
	/** 'webhook' = production URL (static data persisted), 'manual' = test URL (never persisted) */
	mode?: Extract<WorkflowExecuteMode, 'webhook' | 'manual'>;
	/** read and parse the body before webhook() runs, as n8n does for JSON (default true) */
	preRead?: boolean;
	/** extra additionalData, e.g. a credentialsHelper that can authenticate requests */
	additionalData?: Partial<IWorkflowExecuteAdditionalData>;
	/**
	 * Trouble for the n-th request (1-based) with this body: 'unavailable' answers 503 without
	 * running webhook() (n8n down or overloaded); 'lose-answer' runs webhook() fully but cuts the
	 * connection instead of answering (the caller sees a failure although the event was taken).
	 */
	trouble?: (requestNumber: number, body: Buffer) => 'unavailable' | 'lose-answer' | undefined;
	/** what "the database" holds for the workflow's static data at the start */
	staticData?: IDataObject;
	/** sees (and may wrap) each request's context before webhook() runs, e.g. countAsks */
	observeContext?: (context: IWebhookFunctions) => IWebhookFunctions;
}

export interface Reply {
	status: number;
	body: string;
	json: unknown;
}

export interface TriggerServer {
	url: string;
	/** workflowData returned per request that started a run */
	runs: INodeExecutionData[][][];
	/** the json of every emitted item, in order */
	items(): IDataObject[];
	/** errors thrown by webhook() (n8n answers 500 and records a failed execution) */
	errors: unknown[];
	/** what "the database" holds for the workflow's static data */
	savedStaticData(): IDataObject;
	/** the credential as stored now (with the tokens preAuthentication returned) */
	storedCredential(): IDataObject | null;
	runHook(method: 'checkExists' | 'create' | 'delete'): Promise<boolean>;
	/**
	 * Publishes the workflow as n8n's ActiveWorkflowManager does: one workflow object for the
	 * activation, trigger() run in mode 'trigger'; each emit() saves that object's static data and
	 * starts a run (pushed to `runs`). Returns the deactivation (the node's closeFunction).
	 */
	activate(): Promise<() => Promise<void>>;
	/** as if n8n restarted: only the saved static data survives */
	restart(): void;
	/** as if the user edited the credential and saved it: these fields replace the stored ones */
	updateCredential(fields: IDataObject): void;
	/** as if the user edited the node's parameters and saved (static data and memory stay) */
	reconfigure(parameters: INodeParameters): void;
	post(body: string | Buffer, headers?: Record<string, string>): Promise<Reply>;
	close(): Promise<void>;
}

const trigger = new G2SentryTrigger();
const nodeTypes = {
	getByName: () => trigger,
	getByNameAndVersion: () => trigger,
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

export const WEBHOOK_BASE_URL = 'https://n8n.example.test/webhook';
export const WEBHOOK_TEST_BASE_URL = 'https://n8n.example.test/webhook-test';

let workflowCount = 0;

export async function startTriggerServer(options: TriggerServerOptions = {}): Promise<TriggerServer> {
	const mode = options.mode ?? 'webhook';
	// every server is another workflow, as far as n8n (and the node's in-process memory) can tell
	const workflowId = `workflow-${++workflowCount}`;
	const node: INode = {
		id: 'trigger-node-1',
		name: 'G2 Sentry Trigger',
		type: 'n8n-nodes-g2sentry.g2SentryTrigger',
		typeVersion: 1,
		position: [0, 0],
		webhookId: 'hook-1',
		parameters: options.parameters ?? {},
		credentials: { [CREDENTIAL_TYPE]: { id: 'cred-1', name: 'G2 Sentry account' } },
	};
	let saved: IDataObject = structuredClone(options.staticData ?? {});
	const runs: INodeExecutionData[][][] = [];
	const errors: unknown[] = [];

	const loadWorkflow = () =>
		new Workflow({
			id: workflowId,
			name: 'G2 Sentry events',
			nodes: [structuredClone(node)],
			connections: {},
			active: true,
			nodeTypes,
			staticData: structuredClone(saved),
			settings: {},
		});
	const saveStaticData = (workflow: Workflow) => {
		// n8n saves only changed static data, and never in manual (test URL) runs
		const changed = (workflow.staticData as IDataObject & { __dataChanged?: boolean }).__dataChanged === true;
		if (changed && mode !== 'manual') saved = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
	};
	const credentialsHelper = new TriggerCredentialsHelper(options.credentials);
	const additionalDataFor = (req?: N8nRequest, res?: ExpressResponse) =>
		({
			credentialsHelper,
			webhookBaseUrl: WEBHOOK_BASE_URL,
			webhookTestBaseUrl: WEBHOOK_TEST_BASE_URL,
			httpRequest: req,
			httpResponse: res,
			...options.additionalData,
		}) as unknown as IWorkflowExecuteAdditionalData;
	const webhookDataFor = (additionalData: IWorkflowExecuteAdditionalData): IWebhookData => ({
		httpMethod: 'POST',
		node: node.name,
		path: `${node.webhookId}/g2sentry`,
		webhookDescription: trigger.description.webhooks![0],
		workflowId,
		workflowExecuteAdditionalData: additionalData,
		isTest: mode === 'manual',
	});

	let requestCount = 0;
	const handle = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
		const req = asN8nRequest(incoming);
		const requestNumber = ++requestCount;
		let trouble: ReturnType<NonNullable<TriggerServerOptions['trouble']>>;
		if (options.trouble) {
			await req.readRawBody();
			trouble = options.trouble(requestNumber, req.rawBody!);
		}
		if (trouble === 'unavailable') {
			outgoing.writeHead(503).end();
			return;
		}
		const res = asExpressResponse(outgoing, trouble === 'lose-answer');
		if (options.preRead !== false) {
			await req.readRawBody();
			if ((req.headers['content-type'] ?? '').includes('application/json')) {
				try {
					req.body = JSON.parse(req.rawBody!.toString('utf8'));
				} catch {
					// n8n answers malformed JSON itself before any webhook() runs
					res.status(422).json({ message: 'Failed to parse request body' });
					return;
				}
			}
		}
		const workflow = loadWorkflow();
		const workflowNode = workflow.getNode(node.name)!;
		const additionalData = additionalDataFor(req, res);
		const context = new WebhookContext(workflow, workflowNode, additionalData, mode, webhookDataFor(additionalData), [], null);
		let result: IWebhookResponseData;
		try {
			result = await trigger.webhook.call(options.observeContext ? options.observeContext(context) : context);
		} catch (error) {
			errors.push(error);
			if (!res.headersSent) res.status(500).json({ message: 'Error in workflow' });
			return;
		}
		// n8n's trap (n8n-facts.md): when webhook() returns workflowData without having answered,
		// n8n starts the run, reloading static data, before its own answer saves it: changes lost.
		if (!(result.workflowData && !res.headersSent)) saveStaticData(workflow);
		if (result.noWebhookResponse !== true && !res.headersSent) {
			res.status(200).json(result.workflowData ? result.workflowData[0][0].json : { message: 'Webhook call received' });
		}
		if (result.workflowData) runs.push(result.workflowData);
	};

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			errors.push(error);
			if (!res.headersSent) res.writeHead(500).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/hook-1/g2sentry`;

	return {
		url,
		runs,
		errors,
		items: () => runs.flatMap((run) => run[0].map((item) => item.json)),
		savedStaticData: () => structuredClone(saved),
		storedCredential: () => (options.credentials === null ? null : credentialsHelper.get(CREDENTIAL_TYPE)),
		restart: () => {
			clearStoreCache();
			clearSecretsCache();
		},
		updateCredential: (fields) => credentialsHelper.patch(CREDENTIAL_TYPE, fields as ICredentialDataDecryptedObject),
		reconfigure: (parameters) => {
			node.parameters = parameters;
		},
		async runHook(method) {
			const workflow = loadWorkflow();
			const additionalData = additionalDataFor();
			const context = new HookContext(
				workflow,
				workflow.getNode(node.name)!,
				additionalData,
				mode,
				'activate',
				webhookDataFor(additionalData),
			);
			const result = await trigger.webhookMethods.default[method].call(context);
			saveStaticData(workflow);
			return result;
		},
		async activate() {
			const workflow = loadWorkflow();
			const emit = (data: INodeExecutionData[][]) => {
				saveStaticData(workflow);
				runs.push(data);
			};
			const context = new TriggerContext(workflow, workflow.getNode(node.name)!, additionalDataFor(), 'trigger', 'activate', emit);
			const response = await trigger.trigger.call(context);
			return async () => await response.closeFunction?.();
		},
		async post(body, headers = {}) {
			const response = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', ...headers },
				body: typeof body === 'string' ? body : new Uint8Array(body),
			});
			const text = await response.text();
			let json: unknown;
			try {
				json = JSON.parse(text);
			} catch {
				json = undefined;
			}
			return { status: response.status, body: text, json };
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

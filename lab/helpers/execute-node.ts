/**
 * Runs a node type the way n8n runs it: a real n8n-core WorkflowExecute over a two-node workflow
 * (an input node handing over the test's items → the node under test), with the real credential
 * type behind an in-memory credentials helper. Item loop, continueOnFail / error output, pairedItem
 * checks, parameter defaults and expressions are all n8n-core's own.
 */
import { Container } from '@n8n/di';
import { ErrorReporter, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	NodeConnectionTypes,
	Workflow,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import type { InMemoryCredentialsHelper } from './credentials-helper';

export { InMemoryCredentialsHelper } from './credentials-helper';

const INPUT_TYPE = 'test.input';

/**
 * Errors n8n-core hands to its error reporter (Sentry in a real instance, which drops warnings);
 * kept here for inspection instead of being printed into the test output.
 */
export const reportedErrors: unknown[] = [];
(Container.get(ErrorReporter) as unknown as { report: (error: unknown) => void }).report = (error) => {
	reportedErrors.push(error);
};

/** Hands the items it receives on to the next node, like a trigger would. */
class InputNode implements INodeType {
	description = {
		displayName: 'Input',
		name: 'input',
		group: ['input'],
		version: 1,
		description: 'Test input',
		defaults: { name: 'Input' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions) {
		return [this.getInputData()];
	}
}

export interface ExecuteNodeOptions {
	nodeType: INodeType;
	/** full type name; default `n8n-nodes-g2sentry.<description.name>` */
	typeName?: string;
	parameters: INodeParameters;
	/** input items (plain JSON or full execution data); default one empty item */
	items?: Array<IDataObject | INodeExecutionData>;
	credentials: InMemoryCredentialsHelper;
	/** which credential types the node uses, mapped to the stored credential's id/name */
	credentialTypes?: string[];
	onError?: INode['onError'];
	/** workflow time zone (what `this.getTimezone()` returns) */
	timezone?: string;
	/** stop the execution after this many ms, as the editor's Stop button does */
	cancelAfterMs?: number;
}

export interface ExecuteNodeResult {
	run: IRun;
	/** the node's first (regular) output */
	items: INodeExecutionData[];
	/** the error output, when onError is continueErrorOutput */
	errorItems: INodeExecutionData[];
	/** the error that stopped the workflow, if any */
	error?: IRun['data']['resultData']['error'];
}

export const NODE_NAME = 'Node under test';

export async function executeNode(options: ExecuteNodeOptions): Promise<ExecuteNodeResult> {
	const typeName = options.typeName ?? `n8n-nodes-g2sentry.${options.nodeType.description.name}`;
	const types: Record<string, INodeType> = { [INPUT_TYPE]: new InputNode(), [typeName]: options.nodeType };
	const nodeTypes: INodeTypes = {
		getByName: (name) => types[name],
		getByNameAndVersion: (name) => types[name],
		getKnownTypes: () => ({}),
	};

	const credentialTypes = options.credentialTypes ?? [CREDENTIAL_TYPE];
	const input: INode = { id: 'in', name: 'Input', type: INPUT_TYPE, typeVersion: 1, position: [0, 0], parameters: {} };
	const node: INode = {
		id: 'node',
		name: NODE_NAME,
		type: typeName,
		typeVersion: 1,
		position: [200, 0],
		parameters: options.parameters,
		credentials: Object.fromEntries(credentialTypes.map((t) => [t, { id: `cred-${t}`, name: `${t} (test)` }])),
		...(options.onError ? { onError: options.onError } : {}),
	};
	const settings: IWorkflowSettings = { timezone: options.timezone ?? 'UTC' };
	const workflowData: IWorkflowBase = {
		id: 'wf-test',
		name: 'test',
		active: false,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: [input, node],
		connections: { Input: { main: [[{ node: NODE_NAME, type: NodeConnectionTypes.Main, index: 0 }]] } },
		settings,
		activeVersionId: null,
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		nodeTypes,
		settings,
	});

	const hooks = new ExecutionLifecycleHooks('manual', `exec-${Date.now()}`, workflowData);
	const additionalData = {
		credentialsHelper: options.credentials,
		hooks,
		executionId: hooks.executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost/',
		formBaseUrl: '',
		formWaitingBaseUrl: '',
		formTestBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		mcpBaseUrl: '',
		mcpTestBaseUrl: '',
		variables: {},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('not available in tests');
		},
		startRunnerTask: async () => {
			throw new Error('not available in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;

	const items: INodeExecutionData[] = (options.items ?? [{}]).map((item) =>
		'json' in item && typeof item.json === 'object' ? (item as INodeExecutionData) : { json: item as IDataObject },
	);
	const runExecutionData: IRunExecutionData = {
		version: 1,
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node: input, data: { main: [items] }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;

	const running = new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	const timer = options.cancelAfterMs === undefined ? undefined : setTimeout(() => running.cancel(), options.cancelAfterMs);
	const run = await running.finally(() => clearTimeout(timer));
	const task = run.data.resultData.runData[NODE_NAME]?.[0];
	const outputs = task?.data?.main ?? [];
	return {
		run,
		items: outputs[0] ?? [],
		errorItems: outputs[1] ?? [],
		error: run.data.resultData.error,
	};
}

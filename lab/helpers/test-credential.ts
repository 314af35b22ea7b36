/**
 * Runs a credential type's `test` the way n8n's "Test" button does (n8n 2.41, CredentialsTester):
 * a throw-away noOp node whose single parameter routes the test request, executed by n8n-core's
 * RoutingNode with the credential attached (so preAuthentication runs first), and the outcome
 * turned into the message the user sees: a matching `responseCode` rule, the HTTP status text,
 * the network error code, or the error's own message.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type INode,
	type INodeCredentialTestResult,
	type INodeType,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { InMemoryCredentialsHelper } from './credentials-helper';

export async function testCredential(
	type: ICredentialType,
	data: ICredentialDataDecryptedObject,
	helper = new InMemoryCredentialsHelper([type]).set(type.name, data),
): Promise<INodeCredentialTestResult & { helper: InMemoryCredentialsHelper }> {
	const test = type.test;
	if (!test) throw new Error(`${type.name} has no test`);
	const nodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'n8n-nodes-base.noOp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: type.name, required: true }],
			properties: [{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: test.request } }],
		},
	} as unknown as INodeType;
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type.name]: { id: 'cred-test', name: 'tested' } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
	});
	const additionalData = {
		credentialsHelper: helper,
		variables: {},
		currentNodeExecutionIndex: 0,
		restApiUrl: '',
		instanceBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		formBaseUrl: '',
		formWaitingBaseUrl: '',
		formTestBaseUrl: '',
		logAiEvent: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
	const runExecutionData = { resultData: { runData: {} } } as unknown as IRunExecutionData;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const credentialsDecrypted = { id: 'cred-test', name: 'tested', type: type.name, data: helper.get(type.name) };
	try {
		await new RoutingNode(context, nodeType, credentialsDecrypted).runNode();
	} catch (error) {
		return { status: 'Error', message: messageShown(error, test.rules ?? []), helper };
	}
	return { status: 'OK', message: 'Connection successful!', helper };
}

type Rule = NonNullable<ICredentialType['test']>['rules'] extends Array<infer R> | undefined ? R : never;

function messageShown(error: unknown, rules: Rule[]): string {
	const e = error as { message?: string; cause?: { response?: { status: number; statusText?: string }; code?: string } };
	const response = e.cause?.response;
	if (response) {
		for (const rule of rules) {
			if (rule.type === 'responseCode' && rule.properties.value === response.status) return rule.properties.message;
		}
		return response.statusText || `Received HTTP status code: ${response.status}`;
	}
	if (e.cause?.code) return e.cause.code;
	return String(e.message);
}

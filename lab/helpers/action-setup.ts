/**
 * Shared set-up for the action node's integration tests: a fresh sandbox per test file, the real
 * credential type in an in-memory credentials helper, and `run()` to execute the real node
 * through n8n-core against it.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { CREDENTIAL_TYPE, G2SentryApi } from '../../credentials/G2SentryApi.credentials';
import { G2Sentry } from '../../nodes/G2Sentry/G2Sentry.node';
import { DEFAULT_PACING, sharedPacer as pacer } from '../../nodes/shared/transport/pacing';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox';
import { executeNode, InMemoryCredentialsHelper, type ExecuteNodeOptions } from './execute-node';
import { http, jsonUnlessGet } from './sandboxClient';

export { http };

export interface Env {
	sandbox: Sandbox;
	credentials: InMemoryCredentialsHelper;
	run(
		parameters: INodeParameters,
		items?: Array<IDataObject | INodeExecutionData>,
		options?: Partial<ExecuteNodeOptions>,
	): ReturnType<typeof executeNode>;
	/** every API request the sandbox received, oldest first */
	requests(): Promise<Array<{ method: string; path: string; status: number | null; time: string; injected?: string; bytesWritten?: number; complete?: boolean }>>;
	control(method: string, path: string, body?: unknown): Promise<any>;
}

/** The real credential type, stored for a custom Base URL (the sandbox's or a stub's). */
export function credentialsFor(baseUrl: string, fields: Record<string, string>): InMemoryCredentialsHelper {
	return new InMemoryCredentialsHelper([new G2SentryApi()]).set(CREDENTIAL_TYPE, { environment: 'custom', baseUrl, ...fields });
}

export function freshCredentials(sandbox: Sandbox, partner = sandbox.partner): InMemoryCredentialsHelper {
	return credentialsFor(sandbox.baseUrl, { partnerKey: partner.partnerKey, partnerSecret: partner.partnerSecret });
}

/** Starts a sandbox before the file's tests (fresh credentials before each) and stops it after. */
export function useSandbox(options: Partial<SandboxOptions> = {}): Env {
	const env = {} as Env;
	beforeAll(async () => {
		env.sandbox = await startSandbox({ autoDispatch: false, ...options });
	});
	beforeEach(async () => {
		pacer.configure(DEFAULT_PACING);
		await env.control('POST', '/reset');
		env.credentials = freshCredentials(env.sandbox);
	});
	afterAll(async () => {
		pacer.configure(DEFAULT_PACING);
		await env.sandbox?.close();
	});
	env.run = (parameters, items, options = {}) =>
		executeNode({ nodeType: new G2Sentry(), parameters, items, credentials: env.credentials, ...options });
	env.control = async (method, path, body) => {
		const res = await http(`${env.sandbox.controlUrl}${path}`, { method, body, headers: jsonUnlessGet(method) });
		if (res.status >= 400) throw new Error(`control ${method} ${path}: ${res.status} ${res.text}`);
		return res.body;
	};
	env.requests = async () => {
		const body = await env.control('GET', '/requests');
		return (Array.isArray(body) ? body : body.requests) as Awaited<ReturnType<Env['requests']>>;
	};
	return env;
}

export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

export const createParameters = (overrides: INodeParameters = {}): INodeParameters => ({
	resource: 'job',
	operation: 'create',
	name: 'Open house 12 Main St',
	whenDate: hoursFromNow(48),
	duration: 120,
	location: { address: { address1: '12 Main St', city: 'New York', state: 'NY', zip: '10001' } },
	...overrides,
});

/** Creates a job through the node and returns its id. */
export async function createJob(env: Env, overrides: INodeParameters = {}): Promise<number> {
	const result = await env.run(createParameters(overrides));
	if (result.error) throw result.error;
	return result.items[0].json.jobId as number;
}

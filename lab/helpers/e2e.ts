// Shared by the e2e suites: the sandbox's Partner and control APIs over HTTP, and waiting for
// executions a real n8n records. Assertions are made on recorded executions and sandbox state,
// never on log text.
import type { Sandbox } from '../sandbox';
import { readExecutions, type N8nInstance, type RecordedExecution } from './harness';
import { N8N_VERSION as DEFAULT_VERSION } from '../n8n-runtime';

/** The n8n version this Jest project runs the suites on (jest.config.js: one project per version). */
export const N8N_VERSION: string = (globalThis as { G2S_N8N_VERSION?: string }).G2S_N8N_VERSION ?? DEFAULT_VERSION;

/** Jest timeouts: the first run on a machine installs n8n (minutes). */
/**
 * Whether this n8n keeps a failed item's `details` on the error output: from 2.34.6, 2.35.3 and
 * 2.36 on. Before, n8n routes a failed item by its `error` and keeps only the message
 * (nodes/G2Sentry/errorItem.ts).
 */
export const KEEPS_ERROR_DETAILS = ((): boolean => {
	const [major, minor, patch] = N8N_VERSION.split('.').map(Number);
	if (major !== 2) return major > 2;
	return minor >= 36 || (minor === 35 && patch >= 3) || (minor === 34 && patch >= 6);
})();
export const SETUP_TIMEOUT_MS = 20 * 60 * 1000;
export const TEST_TIMEOUT_MS = 120 * 1000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
	const res = await fetch(url, {
		method,
		// the sandbox's control API refuses changing requests that are not declared JSON
		headers: { ...(body === undefined && method === 'GET' ? {} : { 'content-type': 'application/json' }), ...headers },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
	return (text ? JSON.parse(text) : undefined) as T;
}

export interface ControlJob {
	jobId: number;
	status: string;
	partnerKey: string;
	guardian?: { guardianId: number; firstName: string; lastName: string; phone?: string } | null;
	job: {
		name: string;
		whenDate: string;
		duration: number;
		description?: string;
		location?: { address?: Record<string, string>; gps?: Record<string, number> };
		client?: Record<string, string>;
	};
	review?: { rate: number; review?: string } | null;
	history?: unknown[];
}

export interface Delivery {
	jobId: number;
	eventType: string;
	body: string;
	signature: string | null;
	attempt: number;
	duplicate: boolean;
	status: number | null;
	outcome: string;
}

export interface ApiRequest {
	method: string;
	path: string;
	status: number | null;
	partnerKey: string | null;
	injected?: string;
	/** a `huge` answer: body bytes handed to the connection before it ended, and whether that was all */
	bytesWritten?: number;
	complete?: boolean;
}

export const control = {
	job: (sb: Sandbox, jobId: number | string) => call<ControlJob>('GET', `${sb.controlUrl}/jobs/${jobId}`),
	jobs: (sb: Sandbox) => call<ControlJob[]>('GET', `${sb.controlUrl}/jobs`),
	transition: (sb: Sandbox, jobId: number, to: string) =>
		call<unknown>('POST', `${sb.controlUrl}/jobs/${jobId}/transition`, { to }),
	withdraw: (sb: Sandbox, jobId: number) => call<unknown>('POST', `${sb.controlUrl}/jobs/${jobId}/withdraw`, {}),
	insideCutOff: (sb: Sandbox, jobId: number) => call<unknown>('POST', `${sb.controlUrl}/jobs/${jobId}/inside-cut-off`, {}),
	deliveries: (sb: Sandbox, jobId?: number) =>
		call<Delivery[]>('GET', `${sb.controlUrl}/deliveries${jobId === undefined ? '' : `?jobId=${jobId}`}`),
	requests: (sb: Sandbox) => call<ApiRequest[]>('GET', `${sb.controlUrl}/requests`),
};

/** Creates a job directly through the sandbox's Partner API (as another system would). */
export async function createJobDirectly(sb: Sandbox, name: string, hoursAhead = 30): Promise<number> {
	const login = await call<{ accessToken: string }>('POST', `${sb.baseUrl}/access/login`, sb.partner);
	const created = await call<{ jobId: number }>(
		'POST',
		`${sb.baseUrl}/jobs`,
		{
			name,
			whenDate: new Date(Date.now() + hoursAhead * 3600_000).toISOString(),
			duration: 120,
			location: { address: { address1: '1 Test Way', city: 'Albany', state: 'NY', zip: '12207' } },
			client: { clientId: `client-${name}`, clientInfo: 'client@example.com' },
		},
		{ authorization: `Bearer ${login.accessToken}` },
	);
	return created.jobId;
}

/** Polls `fn` until it returns a value that is not undefined (or throws after `timeoutMs`). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await fn();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(200);
	}
}

export function executionsOf(n8n: N8nInstance, workflowId: string): RecordedExecution[] {
	return readExecutions(n8n.databaseFile, n8n.runtimeDir, workflowId);
}

const unfinished = (e: RecordedExecution) => e.status === 'running' || e.status === 'new' || e.status === 'waiting';

/** Every execution of the workflow, once none is still running (so counts include late ones). */
export async function settledExecutionsOf(n8n: N8nInstance, workflowId: string): Promise<RecordedExecution[]> {
	return await waitFor(`executions of ${workflowId} to finish`, () => {
		const all = executionsOf(n8n, workflowId);
		return all.some(unfinished) ? undefined : all;
	});
}

/** Waits until the workflow has at least `count` finished executions matching `filter`; returns them. */
export async function waitForExecutions(
	n8n: N8nInstance,
	workflowId: string,
	count: number,
	filter: (e: RecordedExecution) => boolean = () => true,
	timeoutMs = 30_000,
): Promise<RecordedExecution[]> {
	return await waitFor(`${count} finished execution(s) of ${workflowId}`, () => {
		const done = executionsOf(n8n, workflowId).filter((e) => !unfinished(e) && filter(e));
		return done.length >= count ? done : undefined;
	}, timeoutMs);
}

/**
 * GETs JSON, once more if the connection was closed under the request (a kept-alive connection
 * n8n closed as it was reused: seen as "other side closed" on a busy machine).
 */
export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
	let res: Response;
	try {
		res = await fetch(url, { headers });
	} catch {
		res = await fetch(url, { headers });
	}
	if (!res.ok) throw new Error(`GET ${url} → ${res.status}`);
	return (await res.json()) as T;
}

/** The owner account the suites create (login needed for REST calls such as the credential test). */
export const E2E_OWNER = { email: 'e2e-owner@example.com', password: 'E2e-owner-pass1' };

/** Runs a webhook-started test workflow (see webhookChain); returns the items its last node produced. */
export async function runWorkflow(n8n: N8nInstance, path: string, input: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
	const res = await postJson(`${n8n.baseUrl}/webhook/${path}`, input);
	if (res.status !== 200) throw new Error(`POST /webhook/${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
	return res.body as Array<Record<string, unknown>>;
}

/** POSTs JSON to a test workflow's webhook; returns the status and parsed body. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// keep text
	}
	return { status: res.status, body: parsed };
}

/**
 * Submits a published n8n form as its page does: multipart, one `field-<n>` per form element in
 * the form's order. A form that ends in a Form completion node answers with the URL of the page
 * the execution waits on (the page that shows the person the outcome).
 */
export async function submitForm(url: string, values: Array<string | number>): Promise<string> {
	const form = new FormData();
	values.forEach((value, index) => form.append(`field-${index}`, String(value)));
	const res = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(15_000) });
	const text = await res.text();
	if (res.status !== 200) throw new Error(`POST ${url} → ${res.status} ${text.slice(0, 300)}`);
	const { formWaitingUrl } = JSON.parse(text) as { formWaitingUrl?: string };
	if (!formWaitingUrl) throw new Error(`the form did not hand over a completion page: ${text.slice(0, 300)}`);
	return formWaitingUrl;
}

const decodeHtml = (html: string) =>
	html.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Opens the completion page a person sees after submitting (title and message), then posts back
 * as that page's script does in a browser, which lets the waiting execution finish. Like the
 * form's own script it first polls the execution status: n8n never answers a page request for
 * an execution that is still running.
 */
export async function openCompletionPage(formWaitingUrl: string): Promise<{ title: string; message: string }> {
	const statusUrl = new URL(formWaitingUrl);
	statusUrl.pathname += '/n8n-execution-status';
	await waitFor(`the completion page of ${formWaitingUrl}`, async () => {
		const status = (await (await fetch(statusUrl, { signal: AbortSignal.timeout(5_000) })).text()).trim();
		return status === 'form-waiting' ? true : undefined;
	});
	const res = await fetch(formWaitingUrl, { signal: AbortSignal.timeout(15_000) });
	const html = await res.text();
	const shown = /<h1>([\s\S]*?)<\/h1>\s*<p[^>]*>([\s\S]*?)<\/p>/.exec(html);
	if (res.status !== 200 || !shown) throw new Error(`no completion page at ${formWaitingUrl}: ${res.status} ${html.slice(0, 300)}`);
	const resumed = await fetch(formWaitingUrl, { method: 'POST', signal: AbortSignal.timeout(15_000) });
	if (resumed.status !== 200) throw new Error(`resuming ${formWaitingUrl} → ${resumed.status}`);
	return { title: decodeHtml(shown[1].trim()), message: decodeHtml(shown[2].trim()) };
}

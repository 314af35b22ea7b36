/** Minimal HTTP client for sandbox tests: plain fetch, no code shared with the nodes. */
import type { Sandbox } from '../sandbox';

export interface HttpResult<T = any> {
	status: number;
	headers: Headers;
	body: T;
	text: string;
}

export async function http<T = any>(
	url: string,
	init: { method?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string | Buffer } = {},
): Promise<HttpResult<T>> {
	const headers: Record<string, string> = { ...init.headers };
	let body: string | Buffer | undefined = init.rawBody;
	if (init.body !== undefined) {
		body = JSON.stringify(init.body);
		headers['content-type'] ??= 'application/json';
	}
	const res = await fetch(url, { method: init.method ?? 'GET', headers, body });
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		// not JSON: keep the text
	}
	return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** A logged-in partner session against a sandbox. */
export class PartnerSession {
	accessToken = '';
	refreshToken = '';

	constructor(private readonly sandbox: Sandbox) {}

	static async login(sandbox: Sandbox, creds = sandbox.partner): Promise<PartnerSession> {
		const session = new PartnerSession(sandbox);
		const res = await http(`${sandbox.baseUrl}/access/login`, { method: 'POST', body: creds });
		if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
		session.accessToken = res.body.accessToken;
		session.refreshToken = res.body.refreshToken;
		return session;
	}

	api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
		return http<T>(`${this.sandbox.baseUrl}${path}`, {
			method,
			body,
			headers: { authorization: `Bearer ${this.accessToken}`, ...headers },
		});
	}

	async createJob(overrides: Record<string, unknown> = {}): Promise<number> {
		const res = await this.api('POST', '/jobs', validJob(overrides));
		if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
		return res.body.jobId;
	}
}

/** The sandbox refuses changing control requests that are not declared JSON (415), bodies or not. */
export const jsonUnlessGet = (method: string): Record<string, string> => (method.toUpperCase() === 'GET' ? {} : { 'content-type': 'application/json' });

export function control<T = any>(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
	return http<T>(`${sandbox.controlUrl}${path}`, { method, body, headers: jsonUnlessGet(method) });
}

/** An ISO date `hours` from now (UTC, whole seconds). */
export function hoursFromNow(hours: number): string {
	return new Date(Date.now() + hours * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function validJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		name: 'Open House 23 Main St',
		whenDate: hoursFromNow(48),
		duration: 120,
		location: { address: { address1: '234 Main St', city: 'Long Beach', state: 'CA', zip: '92345' } },
		...overrides,
	};
}

/** Polls until check() returns a truthy value or the time runs out. */
export async function waitFor<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
}

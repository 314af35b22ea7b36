/** Small HTTP plumbing shared by the API and control routers: replies, envelopes, body reading. */
import type { IncomingMessage } from 'node:http';
import type { FieldError } from '../../nodes/shared/contract';

export interface Reply {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export interface RequestContext {
	method: string;
	/** path without the /api/v1 or /_control prefix */
	path: string;
	params: Record<string, string>;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	/** raw request body (already size-checked) */
	rawBody: Buffer;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
	return { status, body, headers };
}

export function error(status: number, code: string, message: string, errors?: FieldError[]): Reply {
	return { status, body: errors ? { code, message, errors } : { code, message } };
}

export function validationError(errors: FieldError[], message = 'The request is invalid.'): Reply {
	return error(400, 'VALIDATION_ERROR', message, errors);
}

export function success(message: string): Reply {
	return json(200, { code: 'SUCCESS', message });
}

export class BodyTooLargeError extends Error {}
/** The client stopped sending before the body was complete (a half-sent or very slow upload). */
export class BodyTimeoutError extends Error {}

/**
 * Reads the whole body, refusing more than maxBytes (the rest is drained by Node after the reply)
 * and giving up after timeoutMs, so a stalled upload gets an answer instead of holding the
 * connection until Node's own 5-minute limit.
 */
export function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const declared = Number(req.headers['content-length']);
		if (Number.isFinite(declared) && declared > maxBytes) {
			reject(new BodyTooLargeError());
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		let done = false;
		const finish = (outcome: () => void) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			outcome();
		};
		const timer = setTimeout(() => finish(() => reject(new BodyTimeoutError())), timeoutMs);
		req.on('data', (chunk: Buffer) => {
			if (done) return;
			size += chunk.length;
			if (size > maxBytes) finish(() => reject(new BodyTooLargeError()));
			else chunks.push(chunk);
		});
		req.on('end', () => finish(() => resolve(Buffer.concat(chunks))));
		req.on('error', (err) => finish(() => reject(err)));
		// a client that hangs up mid-body: nobody is left to answer, stop waiting
		req.on('close', () => finish(() => reject(new BodyTimeoutError())));
	});
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; reply: Reply };

/** JSON body of a POST/PATCH: empty, broken, or of a non-JSON content type gets the vendor's 400/415. */
export function parseJsonBody(ctx: RequestContext): ParsedBody {
	const type = String(ctx.headers['content-type'] ?? '').toLowerCase();
	if (type && !type.includes('json')) {
		return { ok: false, reply: error(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.') };
	}
	const text = ctx.rawBody.toString('utf8');
	if (text.trim() === '') {
		return { ok: false, reply: validationError([{ fieldName: 'body', message: 'is required' }], 'The request body is empty.') };
	}
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return {
			ok: false,
			reply: validationError([{ fieldName: 'body', message: 'is not valid JSON' }], 'The request body could not be parsed.'),
		};
	}
}

/** Turns '/jobs/:jobId/status' into a matcher returning the named segments. */
export function compilePath(pattern: string): (path: string) => Record<string, string> | null {
	const names: string[] = [];
	const source = pattern
		.split('/')
		.map((segment) => {
			if (segment.startsWith(':')) {
				names.push(segment.slice(1));
				return '([^/]+)';
			}
			return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		})
		.join('/');
	const regex = new RegExp(`^${source}/?$`);
	return (path) => {
		const match = regex.exec(path);
		if (!match) return null;
		const params: Record<string, string> = {};
		names.forEach((name, i) => {
			params[name] = safeDecode(match[i + 1]);
		});
		return params;
	};
}

function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

export interface Route {
	method: string;
	/** as written, e.g. '/jobs/:jobId/status' */
	pattern: string;
	match: (path: string) => Record<string, string> | null;
	handler: (ctx: RequestContext) => Reply | Promise<Reply>;
	/** what it does, for route listings (GET /_control) */
	description?: string;
}

export function route(method: string, pattern: string, handler: Route['handler'], description?: string): Route {
	return { method, pattern, match: compilePath(pattern), handler, description };
}

/** Finds the route for a request: 404 when no path matches, 405 (with Allow) when only the method is wrong. */
export function resolveRoute(
	routes: Route[],
	method: string,
	path: string,
): { route: Route; params: Record<string, string> } | { reply: Reply } {
	const allowed: string[] = [];
	for (const r of routes) {
		const params = r.match(path);
		if (!params) continue;
		if (r.method === method) return { route: r, params };
		allowed.push(r.method);
	}
	if (allowed.length > 0) {
		const reply = error(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed.join(', ')}.`);
		reply.headers = { Allow: allowed.join(', ') };
		return { reply };
	}
	return { reply: error(404, 'NOT_FOUND', `No route ${method} ${path}.`) };
}

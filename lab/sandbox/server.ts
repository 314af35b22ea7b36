/**
 * The HTTP front door: splits /api/v1 (vendor API, with injected failures and the request log),
 * /_control (steering) and /_assets (avatar images), and turns every mishap into a vendor-style
 * envelope. Nothing a client sends can stop it from serving the next request.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { API_PREFIX, ERROR_CODES } from '../../nodes/shared/contract';
import { authRoutes, type ApiContext } from './apiAuth';
import { jobRoutes } from './apiJobs';
import { controlRoutes } from './control';
import type { Injection, RequestRecord, SandboxCore } from './core';
import { avatarSignature, avatarSvg, findGuardian } from './guardians';
import { BodyTimeoutError, BodyTooLargeError, error, readBody, resolveRoute, type Reply, type Route } from './http';

export const CONTROL_PREFIX = '/_control';

export function createSandboxServer(core: SandboxCore, describe: (controlRoutes: Route[]) => object): Server {
	const apiRoutes: Route[] = [...authRoutes(core), ...jobRoutes(core)];
	const control: Route[] = controlRoutes(core, describe);

	const server = createServer((req, res) => {
		handle(core, apiRoutes, control, req, res).catch((err: unknown) => {
			// last line of defence: a bug answers 500, the server keeps serving
			core.config.log?.(`internal error: ${err instanceof Error ? err.message : String(err)}`);
			if (!res.headersSent && !res.destroyed) send(res, error(500, ERROR_CODES.internal, 'Internal sandbox error.'));
			else res.destroy();
		});
	});
	// requests Node's parser refuses never reach the handler: answer them with an envelope too
	server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
		if (!socket.writable) {
			socket.destroy();
			return;
		}
		const reply = err.code === 'HPE_HEADER_OVERFLOW'
			? error(431, 'HEADERS_TOO_LARGE', 'The request headers are too large.')
			: err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
				? error(408, 'REQUEST_TIMEOUT', 'The request was not received in time.')
				: error(400, 'BAD_REQUEST', 'The request is not valid HTTP/1.1.');
		const body = JSON.stringify(reply.body);
		socket.end(
			`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
				`Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
		);
	});
	return server;
}

/**
 * The request target as a URL. An origin-form target is read as a path even when it starts with
 * "//" (new URL would take what follows for a host); null when it is not a URL at all.
 */
function requestUrl(target: string): URL | null {
	try {
		return target.startsWith('/') ? new URL(`http://sandbox.local${target}`) : new URL(target);
	} catch {
		return null;
	}
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
function isJson(contentType: string | undefined): boolean {
	return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/json';
}

async function handle(core: SandboxCore, apiRoutes: Route[], control: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
	const method = (req.method ?? 'GET').toUpperCase();
	const url = requestUrl(req.url ?? '/');
	if (!url) {
		send(res, { ...error(400, 'BAD_REQUEST', 'The request target is not a valid URL path.'), headers: { Connection: 'close' } });
		return;
	}
	const pathname = url.pathname;

	if (pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`)) {
		// A web page can make a browser POST a form (or text/plain) to a local address without
		// asking it first; application/json cannot be sent cross-site without CORS consent, which
		// the sandbox never gives. So every changing control request must say it is JSON.
		if (method !== 'GET' && method !== 'HEAD' && !isJson(req.headers['content-type'])) {
			send(res, { ...error(415, 'UNSUPPORTED_MEDIA_TYPE', 'Control requests other than GET must be sent with Content-Type: application/json.'), headers: { Connection: 'close' } });
			return;
		}
		const reply = await dispatch(core, control, req, method, pathname.slice(CONTROL_PREFIX.length) || '/', url);
		send(res, reply);
		return;
	}
	if (pathname.startsWith('/_assets/')) {
		serveAsset(pathname, url, res);
		return;
	}

	const record: RequestRecord = { method, path: pathname, status: null, partnerKey: null, time: new Date().toISOString() };
	core.recordRequest(record);
	const injection = core.takeInjection(method, pathname);
	if (injection?.delayMs) {
		// a slow server: the request is held, then handled and answered normally
		record.injected = 'slow';
		await new Promise((resolve) => setTimeout(resolve, injection.delayMs));
	}
	// trickled, oversized and huge answers carry the real answer: the request is processed first
	const carriesAnswer = injection?.fault === 'trickle' || injection?.fault === 'oversized' || injection?.fault === 'huge';
	if (injection && !injection.after && !injection.delayMs && !carriesAnswer) {
		injectFailure(core, res, record, injection);
		return;
	}
	const ctxHolder: { ctx?: ApiContext } = {};
	const reply = pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`)
		? await dispatch(core, apiRoutes, req, method, pathname.slice(API_PREFIX.length) || '/', url, ctxHolder)
		: await dispatch(core, [], req, method, pathname, url);
	record.partnerKey = ctxHolder.ctx?.partnerKey ?? null;
	if (injection && carriesAnswer) {
		record.status = reply.status;
		record.injected = injection.fault;
		core.config.log?.(`${method} ${pathname} → ${reply.status}, ${injection.fault}`);
		if (injection.fault === 'trickle') sendTrickled(res, reply, core.config.chaos.trickleIntervalMs);
		else if (injection.fault === 'huge') sendHuge(res, reply, core.config.chaos.hugeAnswerBytes, record);
		else send(res, padded(reply, core.config.chaos.oversizedAnswerBytes));
		return;
	}
	if (injection && !injection.delayMs) {
		injectFailure(core, res, record, injection);
		return;
	}
	record.status = reply.status;
	core.config.log?.(`${method} ${pathname} → ${reply.status}${record.partnerKey ? ` (${record.partnerKey})` : ''}`);
	send(res, reply);
}

async function dispatch(
	core: SandboxCore,
	routes: Route[],
	req: IncomingMessage,
	method: string,
	path: string,
	url: URL,
	holder?: { ctx?: ApiContext },
): Promise<Reply> {
	let rawBody: Buffer;
	try {
		rawBody = await readBody(req, core.config.maxBodyBytes, core.config.bodyTimeoutMs);
	} catch (err) {
		// the rest of the body is not read, so the connection cannot carry another request
		if (err instanceof BodyTooLargeError) {
			return { ...error(413, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${core.config.maxBodyBytes} bytes.`), headers: { Connection: 'close' } };
		}
		if (err instanceof BodyTimeoutError) {
			const message = `The request body did not arrive within ${core.config.bodyTimeoutMs} ms (shorter than its Content-Length, or stalled).`;
			return { ...error(408, 'REQUEST_TIMEOUT', message), headers: { Connection: 'close' } };
		}
		throw err;
	}
	const found = resolveRoute(routes, method, path);
	if ('reply' in found) return found.reply;
	const ctx: ApiContext = { method, path, params: found.params, query: url.searchParams, headers: req.headers, rawBody };
	if (holder) holder.ctx = ctx;
	return found.route.handler(ctx);
}

function injectFailure(
	core: SandboxCore,
	res: ServerResponse,
	record: RequestRecord,
	injection: NonNullable<Injection>,
): void {
	core.config.log?.(`${record.method} ${record.path} → injected ${injection.drop ? 'dropped connection' : (injection.fault ?? injection.status)}`);
	if (injection.fault === 'hang') {
		// no answer: the connection stays open until the client gives up (or the sandbox closes)
		record.injected = 'hang';
		return;
	}
	if (injection.fault === 'html' || injection.fault === 'empty') {
		record.injected = injection.fault;
		record.status = 200;
		const body = injection.fault === 'html' ? CAPTIVE_PORTAL_PAGE : '';
		res.writeHead(200, { ...(body ? { 'Content-Type': 'text/html; charset=utf-8' } : {}), 'Content-Length': Buffer.byteLength(body) });
		res.end(body);
		return;
	}
	if (injection.drop) {
		record.injected = 'drop';
		res.socket?.destroy();
		return;
	}
	record.injected = 'status';
	record.status = injection.status;
	if (injection.status === 429) {
		const reply = error(429, ERROR_CODES.rateLimited, 'Too many requests (injected by the sandbox).');
		send(res, { ...reply, headers: { 'Retry-After': String(injection.retryAfterSeconds ?? 1) } });
		return;
	}
	const messages: Record<number, string> = {
		500: 'Internal server error (injected by the sandbox).',
		502: 'Bad gateway (injected by the sandbox).',
		503: 'Service unavailable (injected by the sandbox).',
	};
	send(res, error(injection.status, injection.status === 500 ? ERROR_CODES.internal : 'SERVICE_UNAVAILABLE', messages[injection.status] ?? 'Injected failure.'));
}

/** What a captive portal or a proxy's sign-in wall answers in place of the API. */
export const CAPTIVE_PORTAL_PAGE =
	'<!doctype html><html><head><title>Sign in to the network</title></head><body><h1>Wi-Fi sign-in required</h1><p>Accept the terms to continue (sandbox captive portal).</p></body></html>';

/** The reply's JSON with a `padding` text making it larger than `bytes` (a list is wrapped). */
function padded(reply: Reply, bytes: number): Reply {
	const body = reply.body !== null && typeof reply.body === 'object' && !Array.isArray(reply.body) ? reply.body : { answer: reply.body };
	return { ...reply, body: { ...body, padding: 'x'.repeat(bytes) } };
}

/**
 * The answer with its headers at once and its body one byte every `intervalMs`: a server that
 * never goes silent long enough for an idle timeout, and never finishes in time.
 */
function sendTrickled(res: ServerResponse, reply: Reply, intervalMs: number): void {
	if (res.destroyed) return;
	const body = Buffer.from(reply.body === undefined ? '' : JSON.stringify(reply.body));
	res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, ...reply.headers });
	res.flushHeaders();
	let sent = 0;
	const timer = setInterval(() => {
		if (res.destroyed || sent >= body.length) {
			clearInterval(timer);
			if (!res.destroyed) res.end();
			return;
		}
		res.write(body.subarray(sent, sent + 1));
		sent++;
	}, intervalMs);
	res.on('close', () => clearInterval(timer));
}

/**
 * The answer's JSON with a `padding` text of `bytes` bytes, streamed without a Content-Length as
 * fast as the client reads it (each write waits for the last to drain): a client that reads it
 * all buffers it all. When the connection ends, the record says how many body bytes were handed
 * to it and whether that was all of them.
 */
function sendHuge(res: ServerResponse, reply: Reply, bytes: number, record: RequestRecord): void {
	if (res.destroyed) return;
	const body = reply.body !== null && typeof reply.body === 'object' && !Array.isArray(reply.body) ? reply.body : { answer: reply.body };
	const start = JSON.stringify(body).slice(0, -1);
	const head = Buffer.from(`${start}${start === '{' ? '' : ','}"padding":"`);
	const block = Buffer.alloc(64 * 1024, 'x');
	let padded = 0;
	let written = 0;
	record.complete = false;
	res.on('close', () => {
		record.bytesWritten = written;
	});
	res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers });
	const write = (chunk: Buffer) => {
		written += chunk.length;
		return res.write(chunk);
	};
	const pump = () => {
		while (!res.destroyed) {
			if (padded >= bytes) {
				written += 2;
				res.end('"}');
				record.complete = true;
				return;
			}
			const part = block.subarray(0, Math.min(block.length, bytes - padded));
			padded += part.length;
			if (!write(part)) {
				res.once('drain', pump);
				return;
			}
		}
	};
	write(head);
	pump();
}

function send(res: ServerResponse, reply: Reply): void {
	if (res.destroyed) return;
	const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
	res.writeHead(reply.status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(body),
		...reply.headers,
	});
	res.end(body);
}

/** Avatar images behind the signed, short-lived URLs of the Guardian profile. */
function serveAsset(pathname: string, url: URL, res: ServerResponse): void {
	const match = /^\/_assets\/guardians\/(\d+)\/(thumbnail|avatar)\.svg$/.exec(pathname);
	const guardian = match ? findGuardian(Number(match[1])) : undefined;
	if (!match || !guardian) {
		send(res, error(404, ERROR_CODES.notFound, 'No such asset.'));
		return;
	}
	if (match[2] === 'avatar') {
		const expires = Number(url.searchParams.get('expires'));
		const signature = url.searchParams.get('signature');
		if (!Number.isFinite(expires) || signature !== avatarSignature(guardian.guardianId, expires) || expires * 1000 < Date.now()) {
			send(res, error(403, ERROR_CODES.forbidden, 'The avatar link is invalid or has expired; fetch the profile again.'));
			return;
		}
	}
	const svg = avatarSvg(guardian);
	res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Content-Length': Buffer.byteLength(svg), 'Cache-Control': 'no-store' });
	res.end(svg);
}

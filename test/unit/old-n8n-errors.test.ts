/**
 * What the transport reads from an error n8n throws, on the n8n-workflow of n8n 1.123.81
 * (1.120.31, installed as the devDependency `n8n-workflow-v1`) and on the current one. The errors
 * are real: axios errors from real requests to a local server, a real refused login explained by
 * the credential's code, each wrapped the way httpRequestWithAuthentication wraps it
 * (`new NodeApiError(node, error)`) by each version's own NodeApiError. On the old version the
 * link to the HTTP error is lost; status, body, network code and the login explanation must be
 * read all the same (Retry-After cannot be: the headers are gone).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import axios from 'axios';
import * as current from 'n8n-workflow';
import * as v1 from 'n8n-workflow-v1';

import { explainLoginFailure, findAuthFailure, G2SentryAuthError, notG2Sentry, type AuthFailureReason } from '../../nodes/shared/transport/authFailure';
import { readThrown } from '../../nodes/shared/transport/outcome';

const node = { id: '1', name: 'G2 Sentry', type: 'n8n-nodes-g2sentry.g2Sentry', typeVersion: 1, position: [0, 0], parameters: {} };
const versions = [
	['n8n-workflow 1.120.31 (n8n 1.123.81)', v1.NodeApiError, true],
	['n8n-workflow current', current.NodeApiError, false],
] as const;

let server: Server;
let base: string;
beforeAll(async () => {
	server = createServer((req, res) => {
		const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
			res.end(JSON.stringify(body));
		};
		if (req.url === '/cutoff') return send(422, { code: 'CUT_OFF_EXCEEDED', message: 'Too late to cancel.' });
		if (req.url === '/limited') return send(429, { code: 'RATE_LIMIT_EXCEEDED', message: 'Slow down' }, { 'Retry-After': '7' });
		if (req.url === '/login') return send(401, { code: 'UNAUTHORIZED', message: 'Wrong key or secret' });
		res.writeHead(502, { 'Content-Type': 'text/html' });
		res.end('<html>Bad gateway</html>');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => await new Promise((resolve) => server.close(resolve)));

async function failedRequest(url: string): Promise<Error> {
	try {
		await axios.get(url, { timeout: 5_000 });
	} catch (error) {
		return error as Error;
	}
	throw new Error(`${url} did not fail`);
}

describe.each(versions)('%s', (_name, NodeApiError, loosesCause) => {
	const wrap = (error: Error) => new NodeApiError(node as never, error as never);

	it(loosesCause ? 'really loses the link to the HTTP error (the bug being worked around)' : 'keeps the link to the HTTP error', async () => {
		const wrapped = wrap(await failedRequest(`${base}/cutoff`));
		expect(wrapped.cause === undefined).toBe(loosesCause);
	});

	it('a 422: status and the vendor envelope are read', async () => {
		const out = readThrown(wrap(await failedRequest(`${base}/cutoff`)), 0);
		expect(out.failure).toEqual({ kind: 'http', status: 422 });
		expect(out.body).toEqual({ code: 'CUT_OFF_EXCEEDED', message: 'Too late to cancel.' });
	});

	it(`a 429: the status is read${loosesCause ? '; Retry-After is lost with the headers' : ', with Retry-After'}`, async () => {
		const out = readThrown(wrap(await failedRequest(`${base}/limited`)), 0);
		expect(out.failure).toEqual(loosesCause ? { kind: 'http', status: 429 } : { kind: 'http', status: 429, retryAfterMs: 7000 });
	});

	it('a 502 web page: the status is read', async () => {
		expect(readThrown(wrap(await failedRequest(`${base}/page`)), 0).failure).toEqual({ kind: 'http', status: 502 });
	});

	it('nothing listening: a network failure with its code (never sent, so safe to retry)', async () => {
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const port = (closed.address() as AddressInfo).port;
		await new Promise((resolve) => closed.close(resolve));
		const out = readThrown(wrap(await failedRequest(`http://127.0.0.1:${port}/`)), 0);
		expect(out.failure).toEqual({ kind: 'network', code: 'ECONNREFUSED' });
	});

	it('a refused login: said as such, final, message and description kept', async () => {
		const explained = explainLoginFailure(await failedRequest(`${base}/login`), `${base}/api/v1`);
		const wrapped = wrap(explained);
		expect(findAuthFailure(wrapped)?.reason).toBe('rejected');
		const out = readThrown(wrapped, 0);
		expect(out.authFinal).toBe(true);
		expect(out.authMessage?.message).toMatch(/did not accept the partner key and secret/);
		expect(wrapped.message).toBe(explained.message);
		expect(wrapped.description).toBe(explained.description);
	});

	it('a login answered by something else than G2 Sentry (a portal page): said as such and final', () => {
		const wrapped = wrap(notG2Sentry(`${base}/api/v1`, 'a text/html answer', 200));
		expect(findAuthFailure(wrapped)?.reason).toBe('notG2Sentry');
		const out = readThrown(wrapped, 0);
		expect(out.authFinal).toBe(true);
		expect(out.authMessage?.message).toMatch(/answered, but not like the G2 Sentry Partner API/);
	});

	it.each<AuthFailureReason>(['rejected', 'notG2Sentry', 'unreachable', 'serverError', 'rateLimited', 'badConfig'])('the %s marker survives', (reason) => {
		const wrapped = wrap(new G2SentryAuthError({ reason, message: 'm', description: 'd', status: 500 }));
		expect(findAuthFailure(wrapped)?.reason).toBe(reason);
	});
});

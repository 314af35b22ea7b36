/**
 * Requests no well-behaved client sends, written byte by byte on a socket where fetch would refuse
 * or tidy them up: each gets a JSON envelope (or, at worst, a closed connection), never a 500,
 * and the next ordinary request is served.
 */
import { connect } from 'node:net';
import type { Sandbox } from '../../../lab/sandbox';
import { http, PartnerSession } from '../../../lab/helpers/sandboxClient';
import { useSandboxSession } from '../../../lab/helpers/sandboxFixture';

/** Sends raw bytes and returns the status and the parsed JSON body of the answer. */
function rawRequest(sandbox: Sandbox, text: string): Promise<{ status: number; body: any; head: string }> {
	const { port } = new URL(sandbox.origin);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
		let data = '';
		socket.on('data', (chunk) => (data += chunk.toString()));
		socket.on('error', reject);
		socket.on('close', () => {
			const [head, body = ''] = data.split('\r\n\r\n');
			const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
			let parsed: unknown;
			try {
				parsed = JSON.parse(body);
			} catch {
				parsed = body;
			}
			resolve({ status, body: parsed, head });
		});
	});
}

describe('sandbox against hostile HTTP', () => {
	const f = useSandboxSession({ rateLimitPerMinute: 100_000, bodyTimeoutMs: 300 }, 'all');
	let jobId: number;
	beforeAll(async () => {
		jobId = await f.session.createJob();
	});
	afterEach(async () => {
		expect((await f.session.api('GET', '/jobs/1/status')).status).toBe(404);
	});

	const get = (target: string, headers = '') => rawRequest(f.sandbox, `GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);

	it('answers a request target that is not a URL with 400 BAD_REQUEST, and "//[" with 404 (both were 500s)', async () => {
		for (const target of ['http://[', '*']) {
			const res = await get(target);
			expect([target, res.status, res.body]).toEqual([target, 400, { code: 'BAD_REQUEST', message: expect.any(String) }]);
		}
		const odd = await get('//[');
		expect([odd.status, odd.body.code]).toEqual([404, 'NOT_FOUND']);
	});

	it('reads a target starting with // as a path, not as a host', async () => {
		const res = await get('//api/v1/jobs/1');
		expect([res.status, res.body.code, res.body.message]).toEqual([404, 'NOT_FOUND', 'No route GET //api/v1/jobs/1.']);
	});

	it('answers oversized headers with 431 and malformed HTTP with 400, both as JSON envelopes', async () => {
		const big = await get('/api/v1/jobs/1', `X-Filler: ${'a'.repeat(20_000)}\r\n`);
		expect([big.status, big.body.code]).toEqual([431, 'HEADERS_TOO_LARGE']);
		const conflicting = await rawRequest(f.sandbox, 'POST /api/v1/access/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{"a":1}');
		expect([conflicting.status, conflicting.body.code]).toEqual([400, 'BAD_REQUEST']);
		expect(conflicting.head).toMatch(/content-type: application\/json/i);
	});

	it('answers a body that stops short of its Content-Length with 408 after bodyTimeoutMs', async () => {
		const started = Date.now();
		const res = await rawRequest(f.sandbox, 'POST /api/v1/access/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"partnerKey"');
		expect([res.status, res.body.code]).toEqual([408, 'REQUEST_TIMEOUT']);
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
	});

	it.each([
		['0', 400],
		['-1', 400],
		['1e3', 400],
		['0x10', 400],
		['1.0', 400],
		['+1001', 400],
		['%201001', 400],
		['99999999999999999999', 400],
		['9007199254740993', 400],
		['9007199254740991', 404],
		['0001', 404],
	])('job id %s → %d (plain digits only, never read as another number)', async (id, status) => {
		const res = await f.session.api('GET', `/jobs/${id}/status`);
		expect(res.status).toBe(status);
		if (status === 400) expect(res.body.errors).toEqual([{ fieldName: 'jobId', message: expect.stringMatching(/plain digits/) }]);
		const guardian = await f.session.api('GET', `/jobs/${jobId}/guardians/${id}`);
		expect(guardian.status).toBe(status === 400 ? 400 : 404);
	});

	it('reads the Authorization header leniently in case and spacing, and says when its form is wrong', async () => {
		const token = f.session.accessToken;
		for (const value of [`bearer ${token}`, `BEARER   ${token}  `]) {
			expect((await http(`${f.sandbox.baseUrl}/jobs/1`, { headers: { authorization: value } })).status).toBe(404);
		}
		for (const value of ['Bearer', `Basic ${token}`, token, `Bearer ${token} extra`]) {
			const res = await http(`${f.sandbox.baseUrl}/jobs/1`, { headers: { authorization: value } });
			expect([value, res.status, res.body.message]).toEqual([value, 401, expect.stringMatching(/not of the form "Bearer <accessToken>"/)]);
		}
		expect((await http(`${f.sandbox.baseUrl}/jobs/1`)).body.message).toMatch(/^Missing access token/);
	});

	it('keeps the first of two Authorization headers, and uses no refresh token when two are sent', async () => {
		const twice = await get('/api/v1/jobs/1', `Authorization: Bearer ${f.session.accessToken}\r\nAuthorization: Bearer forged\r\n`);
		expect(twice.status).toBe(404);
		const spare = await PartnerSession.login(f.sandbox);
		const refreshTwice = await get('/api/v1/access/refresh', `refreshToken: ${spare.refreshToken}\r\nrefreshToken: ${spare.refreshToken}\r\n`);
		expect([refreshTwice.status, refreshTwice.body.code]).toEqual([401, 'UNAUTHORIZED']);
		expect((await http(`${f.sandbox.baseUrl}/access/refresh`, { headers: { refreshToken: spare.refreshToken } })).status).toBe(200);
	});
});

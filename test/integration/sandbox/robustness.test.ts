import { connect } from 'node:net';
import { http } from '../../../lab/helpers/sandboxClient';
import { useSandboxSession } from '../../../lab/helpers/sandboxFixture';

describe('sandbox robustness: bad input gets a vendor-style answer and the server keeps serving', () => {
	const f = useSandboxSession({ rateLimitPerMinute: 100_000 }, 'all');

	afterEach(async () => {
		// whatever the previous case sent, the next real request still works
		expect((await f.session.api('GET', '/jobs/1/status')).status).toBe(404);
	});

	const post = (path: string, rawBody: string | Buffer, headers: Record<string, string> = {}) =>
		http(`${f.sandbox.baseUrl}${path}`, {
			method: 'POST',
			rawBody,
			headers: { 'content-type': 'application/json', authorization: `Bearer ${f.session.accessToken}`, ...headers },
		});

	it.each([
		['truncated JSON', '{"name": "x", '],
		['single quotes', "{'name': 'x'}"],
		['trailing garbage', '{"name":"x"} extra'],
		['binary noise', Buffer.from([0xff, 0xfe, 0x00, 0x01])],
	])('answers 400 on broken JSON (%s)', async (_name, raw) => {
		const res = await post('/jobs', raw);
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ code: 'VALIDATION_ERROR', message: expect.any(String), errors: [{ fieldName: 'body', message: 'is not valid JSON' }] });
	});

	it.each([['null'], ['[]'], ['"text"'], ['42'], ['true']])('answers 400 when the JSON body is %s, not an object', async (raw) => {
		const res = await post('/jobs', raw);
		expect(res.status).toBe(400);
		expect(res.body.errors).toEqual([{ fieldName: 'body', message: 'must be a JSON object' }]);
	});

	it('answers 400 on an empty body and on login with broken JSON', async () => {
		expect((await post('/jobs', '')).body.errors).toEqual([{ fieldName: 'body', message: 'is required' }]);
		expect((await post('/access/login', '{bad')).status).toBe(400);
	});

	it('answers 415 for a non-JSON content type', async () => {
		const res = await post('/jobs', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
		expect(res.status).toBe(415);
		expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
	});

	it('answers 413 with an envelope for a body over 1 MiB (declared or streamed)', async () => {
		const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
		const res = await post('/jobs', big);
		expect(res.status).toBe(413);
		expect(res.body).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) });
		// chunked upload without Content-Length
		const streamed = await fetch(`${f.sandbox.baseUrl}/jobs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${f.session.accessToken}` },
			body: new ReadableStream({
				start(controller) {
					for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(128 * 1024));
					controller.close();
				},
			}),
			duplex: 'half',
		} as RequestInit);
		expect(streamed.status).toBe(413);
	});

	it('answers 404 envelopes for unknown routes inside and outside /api/v1', async () => {
		for (const path of ['/api/v1/nothing', '/api/v1', '/', '/api/v2/jobs', '/api/v1/jobs/1/unknown']) {
			const res = await http(`${f.sandbox.origin}${path}`);
			expect([path, res.status, res.body?.code]).toEqual([path, 404, 'NOT_FOUND']);
		}
	});

	it('answers 405 with Allow for a wrong method', async () => {
		const res = await http(`${f.sandbox.baseUrl}/access/login`);
		expect(res.status).toBe(405);
		expect(res.headers.get('allow')).toBe('POST');
		expect(res.body.code).toBe('METHOD_NOT_ALLOWED');
		expect((await http(`${f.sandbox.baseUrl}/jobs/1/cancel`, { method: 'POST' })).status).toBe(405);
		expect((await http(`${f.sandbox.baseUrl}/jobs`, { method: 'GET' })).status).toBe(405);
	});

	it('survives a malformed HTTP request line and a half-sent request', async () => {
		const port = Number(new URL(f.sandbox.origin).port);
		const reply = await new Promise<string>((resolve) => {
			const socket = connect(port, '127.0.0.1', () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
			let data = '';
			socket.on('data', (d) => (data += d.toString()));
			socket.on('close', () => resolve(data));
		});
		expect(reply).toMatch(/^HTTP\/1\.1 400/);
		await new Promise<void>((resolve) => {
			const socket = connect(port, '127.0.0.1', () => {
				socket.write('POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"na');
				setTimeout(() => {
					socket.destroy();
					resolve();
				}, 50);
			});
		});
	});

	it('survives wrong types deep in the body and odd path encodings', async () => {
		const res = await post('/jobs', JSON.stringify({ name: ['x'], whenDate: {}, duration: null, location: { address: [], gps: 'x' }, client: [] }));
		expect(res.status).toBe(400);
		expect(res.body.errors.length).toBeGreaterThanOrEqual(5);
		expect((await f.session.api('GET', '/jobs/%E0%A4%A')).status).toBe(400);
		expect((await f.session.api('GET', '/jobs/99999999999999999999')).status).toBe(400);
		expect((await f.session.api('GET', '/jobs/-1')).status).toBe(400);
	});
});

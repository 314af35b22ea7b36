/**
 * The control API can steer the sandbox (callback URL, failures, reset) and has no
 * authentication, so it must not be reachable by a web page's form post, must not run a
 * caller's regular expression, and the sandbox says loudly when it listens beyond loopback.
 */
import { exposureWarning, isLoopbackHost } from '../../../lab/sandbox';
import { globMatches, MAX_PATH_PATTERN } from '../../../lab/sandbox/glob';
import { control, http } from '../../../lab/helpers/sandboxClient';
import { useSandboxSession } from '../../../lab/helpers/sandboxFixture';

describe('control API: only JSON requests may change anything', () => {
	const f = useSandboxSession();

	it.each([
		['a form post', 'application/x-www-form-urlencoded', 'callbackUrl=https://evil.test/x'],
		['a multipart form', 'multipart/form-data; boundary=x', '--x--'],
		['text/plain (what a page may send without asking)', 'text/plain', '{"callbackUrl":"https://evil.test/x"}'],
		['no content type', undefined, '{"callbackUrl":"https://evil.test/x"}'],
		['a JSON look-alike', 'application/jsonp', '{"callbackUrl":"https://evil.test/x"}'],
	])('refuses %s with 415 and changes nothing', async (_name, type, body) => {
		const before = (await control(f.sandbox, 'GET', '/config')).body.callbackUrl;
		const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
		const res = await http(`${f.sandbox.controlUrl}/config`, { method: 'POST', headers, rawBody: body });
		expect(res.status).toBe(415);
		expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
		expect((await control(f.sandbox, 'GET', '/config')).body.callbackUrl).toBe(before);
	});

	it('refuses body-less changes too (reset, withdraw, DELETE) unless declared JSON', async () => {
		const jobId = await f.session.createJob();
		const reset = await http(`${f.sandbox.controlUrl}/reset`, { method: 'POST', headers: { 'content-type': 'text/plain' } });
		expect(reset.status).toBe(415);
		expect((await http(`${f.sandbox.controlUrl}/fail-next`, { method: 'DELETE' })).status).toBe(415);
		expect((await control(f.sandbox, 'GET', `/jobs/${jobId}`)).status).toBe(200);
		// declared JSON (with a charset parameter): accepted
		const ok = await http(`${f.sandbox.controlUrl}/reset`, { method: 'POST', headers: { 'content-type': 'Application/JSON; charset=utf-8' } });
		expect(ok.status).toBe(200);
		expect((await control(f.sandbox, 'GET', `/jobs/${jobId}`)).status).toBe(404);
	});

	it('still answers GET without a content type', async () => {
		expect((await http(`${f.sandbox.controlUrl}/jobs`)).status).toBe(200);
	});
});

describe('control API: fail-next paths are globs, not regular expressions', () => {
	const f = useSandboxSession();

	it('matches the whole path, * any run, ? one character, everything else literally', async () => {
		await control(f.sandbox, 'POST', '/fail-next', { count: 1, status: 503, path: '/api/v1/jobs/?/status' });
		expect((await f.session.api('GET', '/jobs/12/status')).status).toBe(404); // two characters
		expect((await f.session.api('GET', '/jobs/1/status')).status).toBe(503);
		// regex syntax means nothing special: "$" and "." are characters
		await control(f.sandbox, 'POST', '/fail-next', { count: 1, status: 503, path: '*/status$' });
		expect((await f.session.api('GET', '/jobs/1/status')).status).toBe(404);
		expect((await control(f.sandbox, 'GET', '/fail-next')).body.pending).toHaveLength(1);
	});

	it('takes what was a catastrophic regular expression as a plain pattern, and refuses over-long ones', async () => {
		const hostile = `${'(a+)+'.repeat(20)}$`;
		const armed = await control(f.sandbox, 'POST', '/fail-next', { path: hostile });
		expect(armed.status).toBe(200);
		expect((await f.session.api('GET', `/jobs/${'a'.repeat(50)}!`)).status).not.toBe(500);
		const tooLong = await control(f.sandbox, 'POST', '/fail-next', { path: `/${'a'.repeat(MAX_PATH_PATTERN)}` });
		expect(tooLong.status).toBe(400);
		expect(tooLong.body.errors[0]).toMatchObject({ fieldName: 'path', message: expect.stringMatching(/at most 200/) });
		expect((await control(f.sandbox, 'POST', '/fail-next', { path: 'a\u0000b' })).status).toBe(400);
	});

	it.each([
		['*/status', '/api/v1/jobs/1/status', true],
		['*/status', '/api/v1/jobs/1/status/x', false],
		['/api/v1/jobs', '/api/v1/jobs', true],
		['/api/v1/jobs', '/api/v1/jobs/1', false],
		['*', '', true],
		['a*b*c', 'aXXbYYc', true],
		['a*b*c', 'aXXbYY', false],
		['*a*a*a*a*a*a*a*a*b', 'a'.repeat(200), false],
		['(x)', '(x)', true],
	])('globMatches(%p, %p) is %p', (pattern, path, expected) => {
		expect(globMatches(pattern, path)).toBe(expected);
	});
});

describe('listening beyond loopback', () => {
	it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('is quiet on %p', (host) => {
		expect(isLoopbackHost(host)).toBe(true);
		expect(exposureWarning(host, 4010)).toBeNull();
	});

	it.each(['0.0.0.0', '::', '192.168.1.5', '172.17.0.1'])('warns on %p, naming the unauthenticated control API', (host) => {
		expect(exposureWarning(host, 4010)).toMatch(/^WARNING: the sandbox listens on .*:4010[\s\S]*no authentication/);
	});
});

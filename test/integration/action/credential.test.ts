import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CREDENTIAL_TYPE, G2SentryApi } from '../../../credentials/G2SentryApi.credentials';
import { testCredential } from '../../../lab/helpers/test-credential';
import { useSandbox } from '../../../lab/helpers/action-setup';

const env = useSandbox();
const type = new G2SentryApi();

const data = (overrides: Record<string, string> = {}) => ({
	environment: 'custom',
	baseUrl: env.sandbox.baseUrl,
	partnerKey: env.sandbox.partner.partnerKey,
	partnerSecret: env.sandbox.partner.partnerSecret,
	...overrides,
});

/** A port on which nothing listens any more. */
async function closedPort(): Promise<number> {
	const server: Server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe('credential test (as the n8n "Test" button runs it)', () => {
	it('passes with the right key and secret, storing both tokens', async () => {
		const result = await testCredential(type, data());
		expect(result).toMatchObject({ status: 'OK' });
		const stored = result.helper.get(CREDENTIAL_TYPE);
		expect(stored.accessToken).toEqual(expect.any(String));
		expect(stored.refreshToken).toEqual(expect.any(String));
		expect(stored.accessToken).not.toBe('');
	});

	it('forgives a stray space or line break pasted around the key and secret, also in the node', async () => {
		const pasted = data({ partnerKey: ` ${env.sandbox.partner.partnerKey}\t`, partnerSecret: `${env.sandbox.partner.partnerSecret}\n` });
		const result = await testCredential(type, pasted);
		expect(result).toMatchObject({ status: 'OK' });
		const logins = (await env.requests()).filter((r) => r.path.endsWith('/access/login'));
		expect(logins.map((r) => r.status)).toEqual([200, 200]); // preAuthentication, then the test request

		env.credentials.patch(CREDENTIAL_TYPE, { partnerKey: pasted.partnerKey, partnerSecret: pasted.partnerSecret });
		const run = await env.run({ resource: 'job', operation: 'getStatus', jobId: '999' });
		expect(run.error?.message).toMatch(/^Job 999 was not found/); // logged in, then asked
	});

	it('explains a wrong secret in plain words, without echoing it', async () => {
		const result = await testCredential(type, data({ partnerSecret: 'definitely-wrong' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/did not accept the partner key and secret/);
		expect(result.message).not.toContain('definitely-wrong');
		// one login attempt only: the explained error stops n8n from trying a second time
		const logins = (await env.requests()).filter((r) => r.path.endsWith('/access/login'));
		expect(logins).toHaveLength(1);
	});

	it('catches a wrong secret even while a stored refresh token still works', async () => {
		const first = await testCredential(type, data());
		const refreshToken = first.helper.get(CREDENTIAL_TYPE).refreshToken as string;
		const result = await testCredential(type, data({ partnerSecret: 'rotated-away', refreshToken }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/did not accept the partner key and secret/);
	});

	it('says the URL is wrong when the server is not the Partner API', async () => {
		const result = await testCredential(type, data({ baseUrl: env.sandbox.origin }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/answered, but not like the G2 Sentry Partner API/);
		expect(result.message).toMatch(/\/api\/v1/);
	});

	it('says nothing is answering when the port is closed', async () => {
		const port = await closedPort();
		const result = await testCredential(type, data({ baseUrl: `http://127.0.0.1:${port}/api/v1` }));
		expect(result.status).toBe('Error');
		expect(result.message).toBe(`Nothing is answering at http://127.0.0.1:${port}. Check the Base URL (address and port) and that the service is running.`);
	});

	it('says the server cannot be found for an unknown host name', async () => {
		const result = await testCredential(type, data({ baseUrl: 'https://g2sentry-host-that-does-not-exist.invalid/api/v1' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Could not (find the server g2sentry-host-that-does-not-exist\.invalid|connect to G2 Sentry)/);
	});

	it.each([
		[{ partnerSecret: '' }, "The credential's Partner Secret is empty. Copy it from the G2 Sentry partner portal."],
		[{ partnerKey: ' ', partnerSecret: '' }, "The credential's Partner Key and Partner Secret are empty. Copy them from the G2 Sentry partner portal."],
	])('names an empty key or secret without trying to log in (%p)', async (overrides, message) => {
		const result = await testCredential(type, data(overrides));
		expect(result).toMatchObject({ status: 'Error', message });
		expect(await env.requests()).toEqual([]);
	});

	it.each([
		['plain http:// to a host that is not this machine', 'http://partner-api.g2sentry.invalid/api/v1', /must use https:\/\/ for partner-api\.g2sentry\.invalid: plain http:\/\/ is accepted only for this machine/],
		['a ?query', `${'{sandbox}'}?key=1`, /must not contain a \?query or #fragment/],
		['a #fragment', `${'{sandbox}'}#top`, /must not contain a \?query or #fragment/],
	])('refuses a Base URL with %s, before anything is sent', async (_, baseUrl, message) => {
		const result = await testCredential(type, data({ baseUrl: baseUrl.replace('{sandbox}', env.sandbox.baseUrl) }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
		expect(await env.requests()).toEqual([]);
	});

	it('asks for the Base URL when a custom environment has none', async () => {
		const result = await testCredential(type, data({ baseUrl: '' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Base URL is empty/);
	});
});

/**
 * "Include Job Record": after a sandbox callback, webhook() (through n8n-core) fetches the job
 * with the credential through the shared transport: n8n-core's httpRequestWithAuthentication,
 * the credential's own preAuthentication (login) and Bearer authentication (resolved as an n8n
 * expression by the shared in-memory CredentialsHelper).
 */
import { createHmac } from 'node:crypto';

import { control, waitFor } from '../../../lab/helpers/sandboxClient';
import { startStubPartnerApi } from '../../../lab/helpers/stubPartnerApi';
import { logs, startTriggerServer, type TriggerServerOptions } from '../../../lab/helpers/webhook-context';
import { useSandboxTrigger, type SandboxTrigger } from './sandbox-trigger';

const wire = useSandboxTrigger();
let env: SandboxTrigger;
async function setUp(triggerOptions: TriggerServerOptions = {}) {
	env = await wire({}, { ...triggerOptions, parameters: { options: { includeJob: true } } });
}

describe('Include Job Record', () => {
	it('adds the full job record, fetched with the credential after the callback was answered', async () => {
		await setUp();
		const jobId = await env.session.createJob({ name: 'Gallery night' });
		await env.move(jobId, 'Assigned');
		await waitFor(() => env.trigger.items().length === 1, 10_000, 'the item');
		const [item] = env.trigger.items();
		const job = item.job as { jobId: number; status: string; name: string; guardian: { firstName: string } };
		expect(job.jobId).toBe(jobId);
		expect(job.status).toBe('Assigned');
		expect(job.name).toBe('Gallery night');
		expect(typeof job.guardian.firstName).toBe('string');
		expect(job).not.toHaveProperty('job');
		expect(item.jobError).toBeUndefined();
		expect(env.trigger.storedCredential()?.accessToken).toEqual(expect.any(String));
		const requests = (await control(env.sandbox, 'GET', '/requests')).body as Array<{ method: string; path: string; status: number }>;
		expect(requests.filter((r) => r.path === `/api/v1/jobs/${jobId}` && r.method === 'GET').map((r) => r.status)).toEqual([200]);
	});

	it('still emits the event, with jobError, when the record cannot be fetched', async () => {
		await setUp({ credentials: { partnerSecret: 'not-the-partner-secret' } });
		const jobId = await env.session.createJob();
		await env.move(jobId, 'Assigned');
		await waitFor(() => env.trigger.items().length === 1, 10_000, 'the item');
		const [item] = env.trigger.items();
		expect(item.job).toBeNull();
		expect(item.jobError).toEqual(expect.any(String));
		expect(String(item.jobError)).not.toContain('not-the-partner-secret');
		expect((await env.deliveries()).map((a) => a.status)).toEqual([200]);
	});
});

describe('Include Job Record against a server that echoes the request in its errors', () => {
	it.each([403, 404, 422])('HTTP %p: the event is emitted and jobError and the logs hold no secret', async (status) => {
		const stub = await startStubPartnerApi();
		const secrets = { partnerSecret: 'partner-secret-for-tests-only', callbackSecret: 'callback-secret-for-tests-only' };
		const echoing = await startTriggerServer({
			credentials: { environment: 'custom', baseUrl: stub.baseUrl, partnerKey: 'stub-key', ...secrets },
			parameters: { options: { includeJob: true } },
		});
		try {
			logs.length = 0;
			stub.answer((request) => ({
				status,
				body: JSON.stringify({ code: 'ECHO', message: `refused ${String(request.headers.authorization)} ${JSON.stringify(secrets)}` }),
			}));
			const body = JSON.stringify({ jobId: 12, eventType: 'JobStarted', jobStatus: 'InProgress' });
			const signature = createHmac('sha256', secrets.callbackSecret).update(body).digest('hex');
			expect((await echoing.post(body, { 'x-signature': signature })).status).toBe(200);
			await waitFor(() => echoing.items().length === 1, 10_000, 'the item');
			const [item] = echoing.items();
			expect(item.job).toBeNull();
			expect(item.jobError).toEqual(expect.stringMatching(/\S/));
			const seen = JSON.stringify(item) + JSON.stringify(logs);
			for (const secret of [...stub.issuedTokens, ...Object.values(secrets)]) expect(seen).not.toContain(secret);
			expect(stub.issuedTokens.length).toBeGreaterThan(0); // a token really was sent (and echoed)
		} finally {
			await echoing.close();
			await stub.close();
		}
	});
});

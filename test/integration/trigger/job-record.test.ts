/**
 * "Include Job Record": after a sandbox callback, webhook() (through n8n-core) fetches the job
 * with the credential through the shared transport: n8n-core's httpRequestWithAuthentication,
 * the credential's own preAuthentication (login) and Bearer authentication (resolved as an n8n
 * expression by the shared in-memory CredentialsHelper).
 */
import { startSandbox, type DeliveryAttempt, type Sandbox } from '../../../sandbox';
import { control, PartnerSession, waitFor } from '../../helpers/sandboxClient';
import { startTriggerServer, type TriggerServer, type TriggerServerOptions } from '../../helpers/webhook-context';

let sandbox: Sandbox;
let trigger: TriggerServer;
let session: PartnerSession;

async function setUp(triggerOptions: TriggerServerOptions = {}) {
	sandbox = await startSandbox({ autoDispatch: false, timeScale: 1000 });
	const credentials = {
		environment: 'custom',
		baseUrl: sandbox.baseUrl,
		...sandbox.partner,
		callbackSecret: 'sandbox-callback-secret',
		...triggerOptions.credentials,
	};
	trigger = await startTriggerServer({
		...triggerOptions,
		credentials,
		parameters: { options: { includeJob: true } },
	});
	sandbox.configure({ callbackUrl: trigger.url });
	session = await PartnerSession.login(sandbox);
}
afterEach(async () => {
	await sandbox?.close();
	await trigger?.close();
});

const move = async (jobId: number, to: string) => {
	const res = await control(sandbox, 'POST', `/jobs/${jobId}/transition`, { to });
	if (res.status !== 200) throw new Error(`transition to ${to}: ${res.status} ${res.text}`);
};
const deliveries = async (): Promise<DeliveryAttempt[]> => (await control(sandbox, 'GET', '/deliveries')).body;

describe('Include Job Record', () => {
	it('adds the full job record, fetched with the credential after the callback was answered', async () => {
		await setUp();
		const jobId = await session.createJob({ name: 'Gallery night' });
		await move(jobId, 'Assigned');
		await waitFor(() => trigger.items().length === 1, 10_000, 'the item');
		const [item] = trigger.items();
		const job = item.job as { jobId: number; status: string; guardian: { firstName: string }; job: { name: string } };
		expect(job.jobId).toBe(jobId);
		expect(job.status).toBe('Assigned');
		expect(job.job.name).toBe('Gallery night');
		expect(typeof job.guardian.firstName).toBe('string');
		expect(item.jobError).toBeUndefined();
		expect(trigger.storedCredential()?.accessToken).toEqual(expect.any(String));
		const requests = (await control(sandbox, 'GET', '/requests')).body as Array<{ method: string; path: string; status: number }>;
		expect(requests.filter((r) => r.path === `/api/v1/jobs/${jobId}` && r.method === 'GET').map((r) => r.status)).toEqual([200]);
	});

	it('still emits the event, with jobError, when the record cannot be fetched', async () => {
		await setUp({ credentials: { partnerSecret: 'not-the-partner-secret' } });
		const jobId = await session.createJob();
		await move(jobId, 'Assigned');
		await waitFor(() => trigger.items().length === 1, 10_000, 'the item');
		const [item] = trigger.items();
		expect(item.job).toBeNull();
		expect(item.jobError).toEqual(expect.any(String));
		expect(String(item.jobError)).not.toContain('not-the-partner-secret');
		expect((await deliveries()).map((a) => a.status)).toEqual([200]);
	});
});

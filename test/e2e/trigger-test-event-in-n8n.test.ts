/**
 * End to end, the editor's test mode ("Execute step" / "Listen for test event") with a trigger
 * that has both a webhook and a trigger() (for catch-up): the REST call the editor makes, then a
 * signed callback to the Test URL. n8n runs such a node's trigger() in manual mode and takes its
 * output from there (nodes/G2SentryTrigger/testEvent.ts); the test event must still come out.
 */
import { signCallbackBody, startSandbox, type Sandbox } from '../../lab/sandbox';
import { N8nSession, nodeOutput, startN8nWithPackage, TRIGGER_NODE, useCredential, type StartedN8n, type Workflow } from '../../lab/helpers/harness';
import { E2E_OWNER, executionsOf, N8N_VERSION, SETUP_TIMEOUT_MS, TEST_TIMEOUT_MS, waitFor } from '../../lab/helpers/e2e';

const TRIGGER = 'On job event (test)';
const webhookId = '8e2d0c4a-61f3-4b8e-a0d5-2c7f9b1e4a66';
const draft: Workflow = {
	id: 'e2eTrigTestMode1',
	name: 'e2e trigger in test mode',
	nodes: [
		{
			id: 'e2e-test-mode-trigger',
			name: TRIGGER,
			type: TRIGGER_NODE,
			typeVersion: 1,
			position: [0, 0],
			webhookId,
			parameters: { events: [], options: {} },
		},
	],
	connections: {},
	settings: { executionOrder: 'v1' },
	active: false,
};

let sandbox: Sandbox;
let env: StartedN8n;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, autoDispatch: false, timeScale: 100 });
	env = await startN8nWithPackage({ sandbox, version: N8N_VERSION, workflows: [draft], owner: E2E_OWNER });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await env?.n8n.dispose();
	await sandbox?.close();
}, 60_000);

describe(`G2 Sentry Trigger in the editor's test mode, in a real n8n ${N8N_VERSION}`, () => {
	it('shows the test event sent to the Test URL as the node\'s output', async () => {
		const session = await N8nSession.login(env.n8n.baseUrl, E2E_OWNER);
		const workflowData = useCredential(draft, env.credential);
		const started = await session.call<{ waitingForWebhook?: boolean }>('POST', `/workflows/${draft.id}/run`, {
			workflowData,
			triggerToStartFrom: { name: TRIGGER },
		});
		expect(started).toMatchObject({ waitingForWebhook: true });

		const body = JSON.stringify({ jobId: 4242, eventType: 'JobStarted', jobName: 'Test mode', jobStatus: 'InProgress', guardianPhone: '+15550100101' });
		const answer = await fetch(`${env.n8n.baseUrl}/webhook-test/${webhookId}/g2sentry`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-signature': signCallbackBody(body, sandbox.callbackSecret) },
			body,
		});
		expect(answer.status).toBe(200);
		expect(await answer.json()).toEqual({ status: 'accepted' });

		const [run] = await waitFor('the test execution', () => {
			const done = executionsOf(env.n8n, draft.id).filter((e) => e.status !== 'running' && e.status !== 'new');
			return done.length > 0 ? done : undefined;
		}, 60_000);
		expect(run.mode).toBe('manual');
		expect(run.status).toBe('success');
		expect(nodeOutput(run, TRIGGER).map((item) => item.json)).toEqual([
			expect.objectContaining({ jobId: 4242, eventType: 'JobStarted', jobStatus: 'InProgress', jobName: 'Test mode', recovered: false }),
		]);
	}, TEST_TIMEOUT_MS);
});

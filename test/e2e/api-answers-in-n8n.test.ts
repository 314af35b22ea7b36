/**
 * End to end, on every n8n version of the matrix: the Partner API's answers as the node sees them
 * through n8n's HTTP helpers. These are the cases that broke on n8n before 2.34 (n8n-workflow
 * dropped the HTTP error's `cause`, so every refusal looked like "could not reach"): a 422 named
 * and sent once, 429s waited out, a refused key/secret said as such, a 401 renewed by n8n. And the
 * answers no G2 Sentry gives: a captive portal's 200 page fails the item (never "Canceled"), and
 * an answer trickled past the whole-request deadline ends the item at the deadline, and of an
 * answer that goes on for 64 MiB no more than the cap is read before the connection is closed.
 */
import { ANSWER_MAX_BYTES, LOGIN_DEADLINE_MS, REQUEST_DEADLINE_MS } from '../../nodes/shared/transport/limits';
import { startSandbox, type Sandbox } from '../../lab/sandbox';
import {
	ACTION_NODE,
	credentialRecord,
	startN8nWithPackage,
	webhookChain,
	type CredentialRef,
	type StartedN8n,
	type WorkflowNode,
} from '../../lab/helpers/harness';
import { control, createJobDirectly, E2E_OWNER, N8N_VERSION, runWorkflow, SETUP_TIMEOUT_MS, sleep, TEST_TIMEOUT_MS } from '../../lab/helpers/e2e';

const wrongSecret: CredentialRef = { id: 'g2sWrongSecret01', name: 'G2 Sentry, wrong secret' };
const soft = { onError: 'continueRegularOutput' } as const;
const g2 = (parameters: Record<string, unknown>, credential?: CredentialRef): WorkflowNode => ({
	name: 'G2 Sentry',
	type: ACTION_NODE,
	typeVersion: 1,
	position: [0, 0],
	parameters,
	...soft,
	...(credential ? { credentials: { g2SentryApi: { ...credential } } } : {}),
});
const jobIdParam = '={{ $json.body ? $json.body.jobId : $json.jobId }}';

const workflows = {
	cancel: webhookChain('e2eVerCancel0001', 'ver-cancel', [g2({ resource: 'job', operation: 'cancel', jobId: jobIdParam })]),
	status: webhookChain('e2eVerStatus0001', 'ver-status', [g2({ resource: 'job', operation: 'getStatus', jobId: jobIdParam })]),
	// one item per job in the posted list, each asking for its status
	statuses: webhookChain('e2eVerStatuses01', 'ver-statuses', [
		{
			name: 'One item per job',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [0, 0],
			parameters: { fieldToSplitOut: 'body.jobs', options: {} },
		},
		g2({ resource: 'job', operation: 'getStatus', jobId: jobIdParam }),
	]),
	create: webhookChain('e2eVerCreate0001', 'ver-create', [
		g2({
			resource: 'job',
			operation: 'create',
			name: '={{ $json.body.name }}',
			whenDate: '={{ $json.body.whenDate }}',
			duration: 120,
			location: { address: { address1: '1 Test Way', city: 'Albany', state: 'NY', zip: '12207' } },
		}),
	]),
	refused: webhookChain('e2eVerRefused001', 'ver-refused', [
		g2({ resource: 'job', operation: 'getStatus', jobId: jobIdParam }, wrongSecret),
	]),
};

let sandbox: Sandbox;
let env: StartedN8n;

const run = (path: string, input: Record<string, unknown>) => runWorkflow(env.n8n, path, input);

/** A credential for the sandbox whose partner secret is wrong. */
function wrongSecretRecord(): { id: string } {
	return credentialRecord(wrongSecret, { ...sandbox, partner: { ...sandbox.partner, partnerSecret: 'not-the-partner-secret' } });
}

/** The Partner API requests the sandbox received after `mark` (an index into its log). */
async function requestsSince(mark: number) {
	return (await control.requests(sandbox)).slice(mark);
}

/** The `huge` answers after `mark`, once `expected` of them have ended (bytesWritten set). */
async function hugeAnswersSince(mark: number, expected: number) {
	for (let tries = 0; ; tries++) {
		const huge = (await requestsSince(mark)).filter((r) => r.injected === 'huge');
		if ((huge.length >= expected && huge.every((r) => r.bytesWritten !== undefined)) || tries === 50) return huge;
		await sleep(100);
	}
}

/**
 * Far below the 64 MiB a `huge` answer sends: what the sandbox counts is what it handed to the
 * kernel, which on loopback takes a few MiB into socket buffers whether the client reads or not.
 */
const READ_AT_MOST = 8 * 1024 * 1024;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, autoDispatch: false });
	env = await startN8nWithPackage({
		sandbox,
		version: N8N_VERSION,
		owner: E2E_OWNER,
		moreCredentials: [wrongSecretRecord()],
		workflows: Object.values(workflows),
		publish: Object.values(workflows).map((wf) => wf.id),
	});
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await env?.n8n.dispose();
	await sandbox?.close();
}, 60_000);

describe(`Partner API answers inside a real n8n ${N8N_VERSION}`, () => {
	it('explains a Cancel inside the 2 h cut-off (422 CUT_OFF_EXCEEDED) and sends it once', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E cancel too late');
		await control.insideCutOff(sandbox, jobId);
		const mark = (await control.requests(sandbox)).length;
		const [item] = await run('ver-cancel', { jobId });

		expect(item.error).toEqual(expect.stringMatching(/cut-off/i));
		expect(item.error).not.toMatch(/could not reach|could not connect/i);
		expect(item.details).toMatchObject({ code: 'CUT_OFF_EXCEEDED', httpCode: '422' });
		const cancels = (await requestsSince(mark)).filter((r) => r.path === `/api/v1/jobs/${jobId}/cancel`);
		expect(cancels.map((r) => r.status)).toEqual([422]);
		expect((await control.job(sandbox, jobId)).status).toBe('New');
	}, TEST_TIMEOUT_MS);

	it('says the partner key and secret were refused, in the credential test and in an action', async () => {
		const cookie = await env.n8n.ownerSession();
		const tested = await fetch(`${env.n8n.baseUrl}/rest/credentials/test`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', cookie },
			body: JSON.stringify({ credentials: wrongSecretRecord() }),
		});
		expect(tested.status).toBe(200);
		const { data: result } = (await tested.json()) as { data: { status: string; message: string } };
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/did not accept the partner key and secret/);
		expect(result.message).not.toMatch(/could not reach|could not connect/i);

		const jobId = await createJobDirectly(sandbox, 'E2E wrong secret');
		const mark = (await control.requests(sandbox)).length;
		const [item] = await run('ver-refused', { jobId });
		expect(item.error).toMatch(/did not accept the partner key and secret/);
		expect(item.error).not.toMatch(/could not reach|could not connect/i);
		// refused logins are not retried beyond n8n's own second attempt; nothing else was sent
		const sent = await requestsSince(mark);
		expect(sent.length).toBeGreaterThan(0);
		expect(sent.length).toBeLessThanOrEqual(2);
		expect(sent.every((r) => r.path === '/api/v1/access/login' && r.status === 401)).toBe(true);
	}, TEST_TIMEOUT_MS);

	it('renews an expired access token through n8n (401, refresh, the same request) and succeeds', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E token expiry');
		const [first] = await run('ver-status', { jobId });
		expect(first).toMatchObject({ jobId, status: 'New' });

		await fetch(`${sandbox.controlUrl}/expire-tokens`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ which: 'access' }),
		});
		const mark = (await control.requests(sandbox)).length;
		const [again] = await run('ver-status', { jobId });
		expect(again).toMatchObject({ jobId, status: 'New' });
		// renewed with the refresh token (no new login), then the same request went through
		const records = await requestsSince(mark);
		const sent = records.map((r) => [r.method, r.path, r.status]);
		expect(sent[0]).toEqual(['GET', `/api/v1/jobs/${jobId}/status`, 401]);
		const auth = records.filter((r) => r.path.startsWith('/api/v1/access/'));
		expect(auth.map((r) => [r.method, r.path, r.status])).toEqual([['GET', '/api/v1/access/refresh', 200]]);
		expect(sent[sent.length - 1]).toEqual(['GET', `/api/v1/jobs/${jobId}/status`, 200]);
		expect(sent.length).toBeLessThanOrEqual(4);
	}, TEST_TIMEOUT_MS);

	it('fails a Cancel answered by a captive portal (200 text/html) instead of reporting "Canceled"', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E cancel behind a portal');
		await fetch(`${sandbox.controlUrl}/fail-next`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ fault: 'html', count: 4, path: `*/jobs/${jobId}/cancel` }),
		});
		const mark = (await control.requests(sandbox)).length;
		const [item] = await run('ver-cancel', { jobId });
		expect(item.status).toBeUndefined();
		expect(item.error).toBe(`G2 Sentry answered something unexpected to GET /jobs/${jobId}/cancel`);
		const cancels = (await requestsSince(mark)).filter((r) => r.path === `/api/v1/jobs/${jobId}/cancel`);
		expect(cancels).toHaveLength(4); // a cancel may be repeated; every answer was the portal's page
		expect((await control.job(sandbox, jobId)).status).toBe('New');
	}, TEST_TIMEOUT_MS);

	it('ends a Create whose answer trickles in past the whole-request deadline, without sending it twice', async () => {
		// one byte every 3 s: never silent for n8n's idle timeout, never finished within the deadline
		sandbox.configure({ chaos: { trickleIntervalMs: 3_000 } });
		await fetch(`${sandbox.controlUrl}/fail-next`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ fault: 'trickle', path: '*/jobs', method: 'POST' }),
		});
		const name = 'E2E trickled create';
		const mark = (await control.requests(sandbox)).length;
		const [item] = await run('ver-create', { name, whenDate: new Date(Date.now() + 30 * 3600_000).toISOString() });
		expect(item.jobId).toBeUndefined();
		expect(item.error).toEqual(expect.stringMatching(new RegExp(`did not answer within ${REQUEST_DEADLINE_MS / 1000} s$`)));
		const creates = (await requestsSince(mark)).filter((r) => r.method === 'POST' && r.path === '/api/v1/jobs');
		expect(creates).toHaveLength(1);
		expect((await control.jobs(sandbox)).filter((j) => j.job.name === name)).toHaveLength(1);
	}, TEST_TIMEOUT_MS);

	it('explains a cut-off Cancel whose token had expired (the 422 comes back through n8n\'s renewal, thrown)', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E cancel too late, token expired');
		await control.insideCutOff(sandbox, jobId);
		expect((await run('ver-status', { jobId }))[0]).toMatchObject({ jobId, status: 'New' }); // a token to expire
		await fetch(`${sandbox.controlUrl}/expire-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ which: 'access' }) });
		const mark = (await control.requests(sandbox)).length;
		const [item] = await run('ver-cancel', { jobId });
		expect(item.error).toEqual(expect.stringMatching(/cut-off/i));
		expect(item.details).toMatchObject({ code: 'CUT_OFF_EXCEEDED', httpCode: '422' });
		const cancels = (await requestsSince(mark)).filter((r) => r.path === `/api/v1/jobs/${jobId}/cancel`);
		expect(cancels.map((r) => r.status)).toEqual([401, 401, 422]);
	}, TEST_TIMEOUT_MS);

	it('reads at most the cap of a status answer that goes on for 64 MiB: the item fails as cut, each connection closed early', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E huge answer');
		await fetch(`${sandbox.controlUrl}/fail-next`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ fault: 'huge', count: 4, path: `*/jobs/${jobId}/status` }),
		});
		const mark = (await control.requests(sandbox)).length;
		const [item] = await run('ver-status', { jobId });
		expect(item.status).toBeUndefined();
		expect(item.error).toBe(`G2 Sentry answered something unexpected to GET /jobs/${jobId}/status`);
		expect(JSON.stringify(item.details)).toContain(`of more than ${ANSWER_MAX_BYTES} bytes (cut: no more was read)`);
		const huge = await hugeAnswersSince(mark, 4); // a read is tried again: four answers, each cut
		expect(huge).toHaveLength(4);
		for (const answer of huge) {
			expect(answer.complete).toBe(false);
			expect(answer.bytesWritten).toBeGreaterThan(ANSWER_MAX_BYTES);
			expect(answer.bytesWritten).toBeLessThan(READ_AT_MOST);
		}
	}, TEST_TIMEOUT_MS);

	it('reads at most the cap of a 64 MiB error answer and of a 64 MiB login answer', async () => {
		const missing = 987_654;
		await fetch(`${sandbox.controlUrl}/fail-next`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ fault: 'huge', path: `*/jobs/${missing}/status` }),
		});
		let mark = (await control.requests(sandbox)).length;
		const [notFound] = await run('ver-status', { jobId: missing });
		expect(notFound.error).toMatch(new RegExp(`^Job ${missing} was not found`));
		const [errorAnswer] = await hugeAnswersSince(mark, 1);
		expect(errorAnswer).toMatchObject({ status: 404, complete: false });
		expect(errorAnswer.bytesWritten).toBeLessThan(READ_AT_MOST);

		// no token to use or renew: n8n logs in, and every login answer is huge
		await fetch(`${sandbox.controlUrl}/expire-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		await fetch(`${sandbox.controlUrl}/fail-next`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ fault: 'huge', count: 8, path: '*/access/login' }),
		});
		mark = (await control.requests(sandbox)).length;
		const [item] = await run('ver-status', { jobId: missing });
		await fetch(`${sandbox.controlUrl}/fail-next`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
		expect(item.error).toMatch(/answered, but not like the G2 Sentry Partner API/);
		const logins = await hugeAnswersSince(mark, 1);
		expect(logins.length).toBeGreaterThan(0);
		for (const answer of logins) expect(answer.bytesWritten).toBeLessThan(READ_AT_MOST);
	}, TEST_TIMEOUT_MS);

	it('fails the item when the login never answers, each attempt given up at the login deadline, then logs in afresh', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E hung login');
		// the stored tokens stop working: n8n must refresh (refused) and log in, and every login hangs
		await fetch(`${sandbox.controlUrl}/expire-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		await fetch(`${sandbox.controlUrl}/fail-next`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ fault: 'hang', count: 8, path: '*/access/login' }),
		});
		const mark = (await control.requests(sandbox)).length;
		const [item] = await run('ver-status', { jobId });
		await fetch(`${sandbox.controlUrl}/fail-next`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
		expect(item.status).toBeUndefined();
		expect(item.error).toEqual(expect.stringMatching(new RegExp(`did not complete the login within ${LOGIN_DEADLINE_MS / 1000} s`)));
		const logins = (await requestsSince(mark)).filter((r) => r.path === '/api/v1/access/login');
		expect(logins.length).toBeGreaterThan(1); // a failed login is tried again, each one afresh
		expect(logins.length).toBeLessThanOrEqual(4);

		const [after] = await run('ver-status', { jobId });
		expect(after).toMatchObject({ jobId, status: 'New' });
	}, 3 * 60_000);

	// Last: the lowered limit stays until the sandbox closes.
	it('gets all 15 statuses against a partner limit of 10 per window: 429s waited out, no item failed', async () => {
		const jobIds: number[] = [];
		for (let i = 0; i < 15; i++) jobIds.push(await createJobDirectly(sandbox, `E2E limit ${i + 1}`));
		// 10 requests per 10 s (the API's 60/min shape, shortened so the test stays short);
		// the creations above leave the window first
		const windowMs = 10_000;
		sandbox.configure({ rateLimitPerMinute: 10, rateLimitWindowMs: windowMs });
		await sleep(windowMs + 500);
		const mark = (await control.requests(sandbox)).length;

		const items = await run('ver-statuses', { jobs: jobIds.map((jobId) => ({ jobId })) });
		expect(items.filter((i) => i.error !== undefined)).toEqual([]);
		expect(items).toEqual(jobIds.map((jobId) => expect.objectContaining({ jobId, status: 'New' })));
		const sent = await requestsSince(mark);
		expect(sent.filter((r) => r.status === 429).length).toBeGreaterThan(0);
		expect(sent.filter((r) => r.status === 200).length).toBe(15);
	}, 4 * 60_000);
});

/**
 * End to end, action side: the packed package installed into a real n8n as a community package,
 * a credential pointing at a sandbox, and workflows that run the G2 Sentry node. Every check is
 * made against what the sandbox holds afterwards and what n8n recorded.
 */
import { startSandbox, type Sandbox } from '../../lab/sandbox';
import {
	ACTION_NODE,
	loadExampleWorkflows,
	manualToWebhook,
	nodeOutput,
	nodeRan,
	startN8nWithPackage,
	readWorkflows,
	webhookChain,
	withFreshIds,
	type StartedN8n,
	type WorkflowNode,
} from '../../lab/helpers/harness';
import {
	control,
	createJobDirectly,
	E2E_OWNER,
	executionsOf,
	getJson,
	KEEPS_ERROR_DETAILS,
	N8N_VERSION,
	openCompletionPage,
	postJson,
	runWorkflow,
	SETUP_TIMEOUT_MS,
	submitForm,
	TEST_TIMEOUT_MS,
	waitForExecutions,
} from '../../lab/helpers/e2e';

const examples = loadExampleWorkflows();
// published as shipped: its form is served at the production URL, as for a user
const bookingForm = examples['book-job-from-form'];

function g2(parameters: Record<string, unknown>, extra: Partial<WorkflowNode> = {}): WorkflowNode {
	return { name: 'G2 Sentry', type: ACTION_NODE, typeVersion: 1, position: [0, 0], parameters, ...extra };
}
const body = (field: string) => `={{ $json.body.${field} }}`;
// errors come back as items (continue on fail), so a test sees the message the node produced
const soft = { onError: 'continueRegularOutput' } as const;

const workflows = {
	create: webhookChain('e2eCreate0000001', 'e2e-create', [
		g2({
			resource: 'job',
			operation: 'create',
			name: body('name'),
			whenDate: body('whenDate'),
			duration: body('duration'),
			location: {
				address: { address1: body('address1'), city: body('city'), state: body('state'), zip: body('zip') },
			},
			additionalFields: { clientId: body('clientId'), clientInfo: body('clientInfo'), description: body('description') },
		}, soft),
	]),
	get: webhookChain('e2eGet0000000001', 'e2e-get', [g2({ resource: 'job', operation: 'get', jobId: body('jobId') }, soft)]),
	status: webhookChain('e2eStatus0000001', 'e2e-status', [
		g2({ resource: 'job', operation: 'getStatus', jobId: body('jobId') }, soft),
	]),
	update: webhookChain('e2eUpdate0000001', 'e2e-update', [
		g2({ resource: 'job', operation: 'update', jobId: body('jobId'), updateFields: { name: body('name'), duration: body('duration') } }),
	]),
	cancel: webhookChain('e2eCancel0000001', 'e2e-cancel', [g2({ resource: 'job', operation: 'cancel', jobId: body('jobId') }, soft)]),
	review: webhookChain('e2eReview0000001', 'e2e-review', [
		g2({ resource: 'job', operation: 'review', jobId: body('jobId'), rate: body('rate'), review: body('review') }, soft),
	]),
	profile: webhookChain('e2eProfile000001', 'e2e-profile', [
		g2({ resource: 'guardian', operation: 'getProfile', jobId: body('jobId'), guardianId: body('guardianId') }, soft),
	]),
	rows: withFreshIds(manualToWebhook(examples['create-jobs-from-rows'], 'e2e-rows'), 'e2eRowsCopy00001'),
};

let sandbox: Sandbox;
let env: StartedN8n;
const hook = (path: string) => `${env.n8n.baseUrl}/webhook/${path}`;

const run = (path: string, input: Record<string, unknown>) => runWorkflow(env.n8n, path, input);

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, autoDispatch: false });
	env = await startN8nWithPackage({
		sandbox,
		version: N8N_VERSION,
		owner: E2E_OWNER,
		// the examples as shipped, next to the test workflows (one of them adapted to start over HTTP)
		workflows: [...Object.values(examples), ...Object.values(workflows)],
		publish: [...Object.values(workflows).map((wf) => wf.id), bookingForm.id],
	});
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await env?.n8n.dispose();
	await sandbox?.close();
}, 60_000);

describe(`the packed package inside a real n8n ${N8N_VERSION}`, () => {
	it('is loaded by n8n as a community package: node and credential types are known', async () => {
		const cookie = await env.n8n.ownerSession();
		const nodes = await getJson<Array<{ name: string }>>(`${env.n8n.baseUrl}/types/nodes.json`, { cookie });
		const names = nodes.map((n) => n.name);
		expect(names).toEqual(expect.arrayContaining(['n8n-nodes-g2sentry.g2Sentry', 'n8n-nodes-g2sentry.g2SentryTrigger']));
		const credentials = await getJson<Array<{ name: string }>>(`${env.n8n.baseUrl}/types/credentials.json`, { cookie });
		expect(credentials.map((c) => c.name)).toContain('g2SentryApi');
	}, TEST_TIMEOUT_MS);

	it('knows every node version the example workflows use (users import them on any supported n8n)', async () => {
		const cookie = await env.n8n.ownerSession();
		const nodes = await getJson<Array<{ name: string; version: number | number[] }>>(`${env.n8n.baseUrl}/types/nodes.json`, { cookie });
		const known = new Map<string, number[]>();
		for (const node of nodes) known.set(node.name, [...(known.get(node.name) ?? []), ...[node.version].flat()]);
		const unknown = Object.entries(examples).flatMap(([file, wf]) =>
			wf.nodes
				.filter((node) => !known.get(node.type)?.includes(node.typeVersion))
				.map((node) => `${file}: ${node.name} (${node.type} v${node.typeVersion}; known: ${known.get(node.type)?.join(', ') ?? 'none'})`),
		);
		expect(unknown).toEqual([]);
	}, TEST_TIMEOUT_MS);

	it('imports every example workflow as shipped, nodes and all', () => {
		const stored = new Map(readWorkflows(env.n8n.databaseFile).map((wf) => [wf.id, wf]));
		for (const example of Object.values(examples)) {
			const wf = stored.get(example.id);
			expect(wf?.name).toBe(example.name);
			expect(wf?.nodes.map((n) => [n.name, n.type])).toEqual(example.nodes.map((n) => [n.name, n.type]));
		}
		expect(Object.keys(examples).length).toBeGreaterThanOrEqual(4);
	});

	it('creates a job the sandbox then holds with the same details', async () => {
		const whenDate = new Date(Date.now() + 28 * 3600_000).toISOString();
		const [item] = await run('e2e-create', {
			name: 'E2E open house',
			whenDate,
			duration: 150,
			address1: '12 Main St',
			city: 'New York',
			state: 'NY',
			zip: '10001',
			clientId: 'crm-42',
			clientInfo: 'pat@example.com',
			description: 'Front door',
		});
		expect(item.error).toBeUndefined();
		expect(typeof item.jobId).toBe('number');
		expect(item.status).toBe('New');

		const stored = await control.job(sandbox, item.jobId as number);
		expect(stored.status).toBe('New');
		expect(stored.partnerKey).toBe(sandbox.partner.partnerKey);
		expect(stored.job).toMatchObject({ name: 'E2E open house', duration: 150, description: 'Front door' });
		expect(new Date(stored.job.whenDate).toISOString()).toBe(whenDate);
		expect(stored.job.location?.address).toMatchObject({ address1: '12 Main St', city: 'New York', state: 'NY', zip: '10001' });
		expect(stored.job.client).toMatchObject({ clientId: 'crm-42', clientInfo: 'pat@example.com' });

		const [execution] = (await waitForExecutions(env.n8n, workflows.create.id, 1)).slice(-1);
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution, 'G2 Sentry')[0].json.jobId).toBe(item.jobId);
	}, TEST_TIMEOUT_MS);

	it('reads, updates and cancels a job, and the sandbox reflects each step', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E read-update-cancel');
		const [got] = await run('e2e-get', { jobId });
		expect(got).toMatchObject({ jobId, status: 'New', name: 'E2E read-update-cancel', duration: 120 });

		const [updated] = await run('e2e-update', { jobId, name: 'E2E renamed', duration: 200 });
		expect(updated).toMatchObject({ jobId });
		expect((await control.job(sandbox, jobId)).job).toMatchObject({ name: 'E2E renamed', duration: 200 });

		const [canceled] = await run('e2e-cancel', { jobId });
		expect(canceled.error).toBeUndefined();
		expect((await control.job(sandbox, jobId)).status).toBe('Canceled');
		const [status] = await run('e2e-status', { jobId });
		expect(status).toMatchObject({ jobId, status: 'Canceled' });
	}, TEST_TIMEOUT_MS);

	it('reads the assigned Guardian and reviews a completed job', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E guardian and review');
		await control.transition(sandbox, jobId, 'Assigned');
		const [job] = await run('e2e-get', { jobId });
		const guardian = job.guardian as { guardianId: number; firstName: string };
		const stored = await control.job(sandbox, jobId);
		expect(guardian.guardianId).toBe(stored.guardian?.guardianId);

		const [profile] = await run('e2e-profile', { jobId, guardianId: guardian.guardianId });
		expect(profile).toMatchObject({ jobId, guardianId: guardian.guardianId, firstName: stored.guardian?.firstName });

		const [early] = await run('e2e-review', { jobId, rate: 5, review: 'too early' });
		expect(String(early.error)).not.toBe('undefined');
		expect((await control.job(sandbox, jobId)).review ?? null).toBeNull();

		await control.transition(sandbox, jobId, 'InProgress');
		await control.transition(sandbox, jobId, 'Completed');
		const [reviewed] = await run('e2e-review', { jobId, rate: 4, review: 'On time, calm' });
		expect(reviewed.error).toBeUndefined();
		expect((await control.job(sandbox, jobId)).review).toMatchObject({ rate: 4, review: 'On time, calm' });
	}, TEST_TIMEOUT_MS);

	it('fails the execution with the vendor reason when an update comes after the cut-off', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E past cut-off');
		await control.insideCutOff(sandbox, jobId);
		const before = executionsOf(env.n8n, workflows.update.id).length;
		await postJson(hook('e2e-update'), { jobId, name: 'E2E too late', duration: 90 });
		const executions = await waitForExecutions(env.n8n, workflows.update.id, before + 1);
		const last = executions[executions.length - 1];
		expect(last.status).toBe('error');
		const error = last.runData['G2 Sentry'][0].error;
		expect(`${error?.message} ${error?.description ?? ''}`).toMatch(/cut-off/i);
		expect((await control.job(sandbox, jobId)).job.name).toBe('E2E past cut-off');
	}, TEST_TIMEOUT_MS);

	it('runs the "book jobs from rows" example: books the good row, reports the refused ones with the reason', async () => {
		const before = new Set((await control.jobs(sandbox)).map((j) => j.jobId));
		const res = await postJson(hook('e2e-rows'), {});
		expect(res.status).toBe(200);
		const [execution] = await waitForExecutions(env.n8n, workflows.rows.id, 1);
		expect(execution.status).toBe('success');

		const booked = nodeOutput(execution, 'Booked').map((i) => i.json);
		expect(booked).toHaveLength(1);
		expect(booked[0]).toMatchObject({ row: 'Open house, 12 Main St', status: 'New' });
		const stored = await control.job(sandbox, booked[0].jobId as number);
		expect(stored.job).toMatchObject({ name: 'Open house, 12 Main St', client: { clientInfo: 'alex@example.com' } });

		const refused = nodeOutput(execution, 'Refused').map((i) => i.json);
		// n8n 1.x does not resolve the Refused node's `$('Rows to book').item` for items of the error
		// output (README, Example workflows): there the rows are told apart by their reasons only
		if (!N8N_VERSION.startsWith('1.')) expect(refused.map((r) => r.row)).toEqual(['Gallery evening', 'Too soon: starts in 30 minutes']);
		expect(refused).toHaveLength(2);
		expect(String(refused[0].reason)).toMatch(/state/i);
		expect(String(refused[1].reason)).toMatch(/2 hours|cut-off|future/i);
		if (KEEPS_ERROR_DETAILS) {
			expect(String(refused[0].fields)).toMatch(/state/);
			expect(String(refused[1].fields)).toMatch(/whenDate/);
		} else {
			// older n8n keeps only the message of a failed item: the reason above still names the field
			expect(refused.map((r) => r.fields)).toEqual(['', '']);
		}

		const created = (await control.jobs(sandbox)).filter((j) => !before.has(j.jobId));
		expect(created.map((j) => j.job.name)).toEqual(['Open house, 12 Main St']);
	}, TEST_TIMEOUT_MS);

	it('runs the web form example: books a valid submission, shows the field-level reason for a refused one', async () => {
		const url = env.formUrls[bookingForm.id];
		expect(url).toBe(`${env.n8n.baseUrl}/form/book-a-guardian`);
		const before = new Set((await control.jobs(sandbox)).map((j) => j.jobId));
		// what a person types: date and time without a zone (the workflow's time zone, UTC here)
		const start = new Date(Date.now() + 30 * 3600_000).toISOString().slice(0, 16);
		const address = ['12 Main St', 'New York'];

		const booked = await openCompletionPage(await submitForm(url, ['E2E form booking', start, 150, ...address, 'NY', '10001']));
		const refused = await openCompletionPage(await submitForm(url, ['E2E form refused', start, 90, ...address, 'ny', '10001']));

		const created = (await control.jobs(sandbox)).filter((j) => !before.has(j.jobId));
		expect(created.map((j) => j.job.name)).toEqual(['E2E form booking']);
		const [job] = created;
		expect(job.job).toMatchObject({ duration: 150, location: { address: { address1: '12 Main St', city: 'New York', state: 'NY', zip: '10001' } } });
		expect(new Date(job.job.whenDate).toISOString()).toBe(`${start}:00.000Z`);
		expect(booked).toEqual({ title: 'Booked', message: expect.stringContaining(`job ID ${job.jobId}`) });
		expect(refused.title).toBe('Not booked');
		// with details, one line per field; on older n8n the example falls back to the error's message
		// in plain words for a visitor: no API field paths, no "Cannot create the job (item 0)"
		expect(refused.message).toMatch(/^"E2E form refused" was not booked:\n• State must be two capital letters/);
		expect(refused.message).not.toMatch(/location\.|whenDate|item 0/);

		// both executions finish once their completion page is shown (oldest first)
		const [ok, bad] = await waitForExecutions(env.n8n, bookingForm.id, 2);
		expect([ok.status, bad.status]).toEqual(['success', 'success']);
		expect(nodeOutput(ok, 'Create job')[0].json.jobId).toBe(job.jobId);
		expect(nodeRan(ok, 'Refused page')).toBe(false);
		expect(nodeOutput(bad, 'Create job')).toHaveLength(0);
		const [reason] = nodeOutput(bad, 'Create job', 1);
		if (KEEPS_ERROR_DETAILS) {
			// typeVersion 2.3 (the highest every supported n8n knows) keys the answers by the field labels
			expect(reason.json['Job name']).toBe('E2E form refused');
			expect((reason.json.details as { fieldErrors: unknown[] }).fieldErrors).toEqual([
				{ fieldName: 'location.address.state', message: expect.stringMatching(/two capital letters.*"ny"/) },
			]);
		} else {
			expect(reason.json).toEqual({ error: expect.stringMatching(/two capital letters/) });
		}
		expect(nodeRan(bad, 'Booked page')).toBe(false);
	}, TEST_TIMEOUT_MS);
});

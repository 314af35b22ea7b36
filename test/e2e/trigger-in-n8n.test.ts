/**
 * End to end, trigger side: the example trigger workflows published in a real n8n, the sandbox
 * delivering real signed callbacks to them as jobs move through their lifecycle, plus forged,
 * duplicated and failed-then-retried deliveries, a hostile saved memory and a previous callback
 * secret before and after its end. Assertions are on the executions n8n recorded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import { ACCESS_TOKEN_TTL_MS } from '../../nodes/shared/contract';
import { signCallbackBody, startSandbox, type Sandbox } from '../../lab/sandbox';
import {
	credentialRecord,
	DEFAULT_CREDENTIAL,
	loadExampleWorkflows,
	N8nSession,
	nodeOutput,
	startN8nWithPackage,
	TRIGGER_NODE,
	type RecordedExecution,
	type StartedN8n,
	type Workflow,
} from '../../lab/helpers/harness';
import {
	control,
	createJobDirectly,
	E2E_OWNER,
	N8N_VERSION,
	settledExecutionsOf,
	SETUP_TIMEOUT_MS,
	TEST_TIMEOUT_MS,
	waitFor,
	waitForExecutions,
	type Delivery,
} from '../../lab/helpers/e2e';

const examples = loadExampleWorkflows();
const sync = examples['sync-job-status-to-sheet'];
const email = examples['email-client-when-job-completed'];
const SYNC_TRIGGER = 'On any job event';
const EMAIL_TRIGGER = 'On job completed';
const RECORD_TRIGGER = 'On job event, with record';
/** A trigger alone with "Include Job Record" on: its execution shows what the lookup added. */
const withRecord: Workflow = {
	id: 'e2eTrigWithJob01',
	name: 'e2e trigger with job record',
	nodes: [
		{
			id: 'e2e-record-trigger',
			name: RECORD_TRIGGER,
			type: TRIGGER_NODE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: '3b1f7c52-8e0a-4c6d-9f21-5a7d2e4b9c10',
			parameters: { events: ['JobAssigned', 'JobStarted'], options: { includeJob: true } },
		},
	],
	connections: {},
	settings: { executionOrder: 'v1' },
	active: false,
};

/** A trigger alone on a credential of its own (a rotation of the callback secret under way). */
function rotationWorkflow(id: string, credentialId: string, webhookId: string): Workflow {
	return {
		id,
		name: `e2e rotation ${id}`,
		nodes: [
			{
				id: `${id}-trigger`,
				name: ROTATION_TRIGGER,
				type: TRIGGER_NODE,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { events: [], options: {} },
				credentials: { g2SentryApi: { id: credentialId, name: credentialId } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
		active: false,
	};
}
const ROTATION_TRIGGER = 'On job event, rotating secret';
const PREVIOUS_SECRET = 'e2e-previous-callback-secret';
const DAY_MS = 24 * 60 * 60 * 1000;
/** previous secret still valid for a week; its deliveries also meet a hostile saved memory */
const rotationOpen = rotationWorkflow('e2eRotationOpen1', 'g2sRotationOpen1', '6c0f4a1e-2b7d-4e58-9a3c-1d5e7f9b2a40');
/** previous secret ended yesterday */
const rotationEnded = rotationWorkflow('e2eRotationEnd01', 'g2sRotationEnd01', '8e2a6c3f-4d9b-4f7a-b1e5-3f7a9c1d4b62');
/** its callback secret is changed in the running n8n, as a user saving the credential does */
const rotationLive = rotationWorkflow('e2eRotationLive1', 'g2sRotationLive1', '2d7b9e4a-6c1f-4a83-8e5d-7b3c1a9f6e24');

let sandbox: Sandbox;
let env: StartedN8n;
let openUrl: string;
let endedUrl: string;
let liveUrl: string;
let syncUrl: string;
let emailUrl: string;
let recordUrl: string;

beforeAll(async () => {
	// 100× faster: callback retries come after 10 ms instead of 1 s
	sandbox = await startSandbox({ port: 0, autoDispatch: false, timeScale: 100 });
	const workflows = [sync, email, withRecord, rotationOpen, rotationEnded, rotationLive];
	const rotating = (id: string, validUntil: string) => {
		const record = credentialRecord({ id, name: id }, sandbox);
		return { ...record, data: { ...(record.data as object), previousCallbackSecret: PREVIOUS_SECRET, previousCallbackSecretValidUntil: validUntil } };
	};
	const moreCredentials = [
		rotating('g2sRotationOpen1', new Date(Date.now() + 7 * DAY_MS).toISOString()),
		rotating('g2sRotationEnd01', new Date(Date.now() - DAY_MS).toISOString()),
		credentialRecord({ id: rotationLive.nodes[0].credentials!.g2SentryApi.id, name: 'g2sRotationLive1' }, sandbox),
	];
	env = await startN8nWithPackage({ sandbox, version: N8N_VERSION, workflows, publish: workflows.map((wf) => wf.id), credential: DEFAULT_CREDENTIAL, moreCredentials, owner: E2E_OWNER });
	openUrl = env.triggerUrls[rotationOpen.id];
	endedUrl = env.triggerUrls[rotationEnded.id];
	liveUrl = env.triggerUrls[rotationLive.id];
	syncUrl = env.triggerUrls[sync.id];
	emailUrl = env.triggerUrls[email.id];
	recordUrl = env.triggerUrls[withRecord.id];
	sandbox.configure({ callbackUrl: syncUrl });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await env?.n8n.dispose();
	await sandbox?.close();
}, 60_000);

/** What the trigger emitted in an execution (its single item). */
const event = (e: RecordedExecution, trigger = SYNC_TRIGGER) => nodeOutput(e, trigger)[0]?.json ?? {};
const forJob = (jobId: number, trigger = SYNC_TRIGGER) => (e: RecordedExecution) => event(e, trigger).jobId === jobId;

async function delivered(jobId: number, eventType: string, count = 1): Promise<Delivery[]> {
	return await waitFor(`${count} delivered ${eventType} callback(s) for job ${jobId}`, async () => {
		const list = (await control.deliveries(sandbox, jobId)).filter((d) => d.eventType === eventType);
		return list.filter((d) => d.outcome === 'delivered').length >= count ? list : undefined;
	});
}

/** Moves a job and waits until the sandbox's callback for it was accepted. */
async function move(jobId: number, to: string, eventType: string): Promise<void> {
	await control.transition(sandbox, jobId, to);
	await delivered(jobId, eventType);
}

/** The workflow's static data as n8n saved it (SQLite). */
function readStaticData(workflowId: string): Record<string, unknown> {
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const db = new DatabaseSync(env.n8n.databaseFile, { readOnly: true, timeout: 10_000 });
	try {
		const row = db.prepare('SELECT staticData FROM workflow_entity WHERE id = ?').get(workflowId) as { staticData: string | null } | undefined;
		return (row?.staticData ? JSON.parse(row.staticData) : {}) as Record<string, unknown>;
	} finally {
		db.close();
	}
}

/** Replaces the workflow's saved static data, as a tampered or damaged database would hold it. */
function writeStaticData(workflowId: string, change: (data: Record<string, unknown>) => Record<string, unknown>): void {
	const next = JSON.stringify(change(readStaticData(workflowId)));
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const db = new DatabaseSync(env.n8n.databaseFile, { timeout: 10_000 });
	try {
		db.prepare('UPDATE workflow_entity SET staticData = ? WHERE id = ?').run(next, workflowId);
	} finally {
		db.close();
	}
}

function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
	return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe(`G2 Sentry Trigger in a real n8n ${N8N_VERSION}, fed by the sandbox`, () => {
	// First, while this n8n holds no token yet: the webhook itself must log in, later refresh.
	it('adds the job record, fetched with the credential from the webhook ("Include Job Record")', async () => {
		const ttlMs = 1_500; // tokens issued from now on expire quickly, so the 2nd lookup must refresh
		sandbox.configure({ callbackUrl: recordUrl, accessTokenTtlMs: ttlMs });
		try {
			const jobId = await createJobDirectly(sandbox, 'E2E include job record');
			const before = (await control.requests(sandbox)).length; // past this test's own login
			await move(jobId, 'Assigned', 'JobAssigned');
			const [run] = await waitForExecutions(env.n8n, withRecord.id, 1, forJob(jobId, RECORD_TRIGGER), 60_000);
			expect(run.status).toBe('success');
			const emitted = event(run, RECORD_TRIGGER);
			expect(emitted).toMatchObject({ jobId, eventType: 'JobAssigned', jobStatus: 'Assigned' });
			expect(emitted).not.toHaveProperty('jobError');
			// the record is the sandbox's state of the job, in the flat shape Job → Get outputs
			const stored = await control.job(sandbox, jobId);
			expect(stored).toMatchObject({ status: 'Assigned', guardian: { guardianId: expect.any(Number) } });
			expect(emitted.job).toMatchObject({
				jobId,
				status: stored.status,
				name: 'E2E include job record',
				duration: 120,
				whenDate: new Date(stored.job.whenDate).toISOString(),
				guardian: { guardianId: stored.guardian!.guardianId, firstName: stored.guardian!.firstName },
			});
			expect(emitted.job).not.toHaveProperty('job');
			// n8n logged in with the credential's key, then fetched the job: nothing else was asked
			const byN8n = (await control.requests(sandbox)).slice(before);
			expect(byN8n.map((r) => [r.method, r.path, r.status, r.partnerKey])).toEqual([
				['POST', '/api/v1/access/login', 200, sandbox.partner.partnerKey],
				['GET', `/api/v1/jobs/${jobId}`, 200, sandbox.partner.partnerKey],
			]);

			// the next lookup finds the stored token expired: a 401 (read as a value), the same GET
			// the way n8n refreshes on, its 401, a refresh, the same GET again
			const loggedInAt = Date.now();
			await waitFor('the access token to expire', () => (Date.now() > loggedInAt + ttlMs + 500 ? true : undefined));
			const mark = (await control.requests(sandbox)).length;
			await move(jobId, 'InProgress', 'JobStarted');
			const started = (await waitForExecutions(env.n8n, withRecord.id, 2, forJob(jobId, RECORD_TRIGGER), 60_000))[1];
			expect(event(started, RECORD_TRIGGER)).not.toHaveProperty('jobError');
			expect(event(started, RECORD_TRIGGER).job).toEqual({ ...(emitted.job as object), status: 'InProgress' });
			const again = (await control.requests(sandbox)).slice(mark);
			expect(again.map((r) => [r.method, r.path, r.status])).toEqual([
				['GET', `/api/v1/jobs/${jobId}`, 401],
				['GET', `/api/v1/jobs/${jobId}`, 401],
				['GET', '/api/v1/access/refresh', 200],
				['GET', `/api/v1/jobs/${jobId}`, 200],
			]);
		} finally {
			sandbox.configure({ callbackUrl: syncUrl, accessTokenTtlMs: ACCESS_TOKEN_TTL_MS });
		}
	}, TEST_TIMEOUT_MS);

	it('runs the status-sync workflow once per lifecycle step, with what each callback said', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E lifecycle');
		await move(jobId, 'Assigned', 'JobAssigned');
		await move(jobId, 'InProgress', 'JobStarted');
		await move(jobId, 'Completed', 'JobCompleted');

		const runs = await waitForExecutions(env.n8n, sync.id, 3, forJob(jobId));
		expect(runs.map((e) => e.status)).toEqual(['success', 'success', 'success']);
		const rows = runs.map((e) => nodeOutput(e, 'Row for the job')[0].json);
		expect(rows.map((r) => [r.status, r.lastEvent])).toEqual([
			['Assigned', 'JobAssigned'],
			['InProgress', 'JobStarted'],
			['Completed', 'JobCompleted'],
		]);
		expect(rows.every((r) => r.jobId === jobId && r.jobName === 'E2E lifecycle')).toBe(true);
		const stored = await control.job(sandbox, jobId);
		expect(stored.status).toBe('Completed');
		expect(String(rows[0].guardianPhone)).not.toBe('');
		// only what an event carries is written: the completion has no phone, so the row keeps the
		// number seen before, and says that the masked number stopped working
		expect(rows[0].phoneStatus).toBe('works while the job runs');
		expect(rows[2]).not.toHaveProperty('guardianPhone');
		expect(rows[2].phoneStatus).toBe('stopped working after completion');
		// what the trigger emitted is what the sandbox signed and sent
		const sent = (await control.deliveries(sandbox, jobId)).map((d) => JSON.parse(d.body) as Record<string, unknown>);
		for (const [i, e] of runs.entries()) {
			expect(event(e)).toMatchObject({ jobId, eventType: sent[i].eventType, jobStatus: sent[i].jobStatus });
		}
	}, TEST_TIMEOUT_MS);

	it('refuses forged callbacks with 401 and records no execution for them', async () => {
		const forgedJobId = 990001;
		const body = JSON.stringify({ jobId: forgedJobId, eventType: 'JobCompleted', jobName: 'forged', jobStatus: 'Completed' });
		const wrongSecret = await post(syncUrl, body, { 'x-signature': signCallbackBody(body, 'not-the-callback-secret') });
		expect(wrongSecret.status).toBe(401);
		const unsigned = await post(syncUrl, body, {});
		expect(unsigned.status).toBe(401);
		const genuine = JSON.stringify({ jobId: 990002, eventType: 'JobCompleted', jobName: 'genuine', jobStatus: 'Completed' });
		const tampered = await post(syncUrl, genuine.replace('genuine', 'tampered'), {
			'x-signature': signCallbackBody(genuine, sandbox.callbackSecret),
		});
		expect(tampered.status).toBe(401);

		// the same request correctly signed is accepted: the refusals above were about the signature
		const accepted = await post(syncUrl, genuine, { 'x-signature': signCallbackBody(genuine, sandbox.callbackSecret) });
		expect(accepted.status).toBe(200);
		const [marker] = await waitForExecutions(env.n8n, sync.id, 1, forJob(990002));
		expect(event(marker)).toMatchObject({ jobName: 'genuine', eventType: 'JobCompleted' });
		const all = await settledExecutionsOf(env.n8n, sync.id);
		expect(all.filter(forJob(forgedJobId))).toHaveLength(0);
		expect(all.filter((e) => event(e).jobName === 'tampered')).toHaveLength(0);
	}, TEST_TIMEOUT_MS);

	it('starts one execution per event when deliveries are duplicated or replayed', async () => {
		sandbox.configure({ chaos: { duplicateDeliveries: 1 } });
		const jobId = await createJobDirectly(sandbox, 'E2E duplicates');
		try {
			await control.transition(sandbox, jobId, 'Assigned');
			const attempts = await delivered(jobId, 'JobAssigned', 2);
			expect(attempts.some((d) => d.duplicate)).toBe(true);
			// a replay of the exact signed request, as a retry would send it
			const replay = await post(syncUrl, attempts[0].body, { 'x-signature': attempts[0].signature ?? '' });
			expect(replay.status).toBe(200);
		} finally {
			sandbox.configure({ chaos: { duplicateDeliveries: 0 } });
		}
		// a later event of the same job is the marker: its run starts after the duplicates arrived
		await move(jobId, 'InProgress', 'JobStarted');
		await waitForExecutions(env.n8n, sync.id, 1, (e) => forJob(jobId)(e) && event(e).eventType === 'JobStarted');
		const runs = (await settledExecutionsOf(env.n8n, sync.id)).filter(forJob(jobId));
		expect(runs.map((e) => event(e).eventType)).toEqual(['JobAssigned', 'JobStarted']);
	}, TEST_TIMEOUT_MS);

	it('gets the event once through a retry after a failed delivery', async () => {
		// a hop that loses the first request (503), then forwards the exact bytes and signature
		let seen = 0;
		const proxy = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				if (++seen === 1) {
					res.writeHead(503).end('try later');
					return;
				}
				const headers = { 'content-type': String(req.headers['content-type']), 'x-signature': String(req.headers['x-signature']) };
				fetch(syncUrl, { method: 'POST', headers, body: Buffer.concat(chunks) }).then(
					async (answer) => res.writeHead(answer.status).end(await answer.text()),
					() => res.writeHead(502).end(),
				);
			});
		});
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		const port = (proxy.address() as AddressInfo).port;
		sandbox.configure({ callbackUrl: `http://127.0.0.1:${port}/callback` });
		try {
			const jobId = await createJobDirectly(sandbox, 'E2E retry');
			await control.transition(sandbox, jobId, 'Assigned');
			const attempts = await delivered(jobId, 'JobAssigned');
			expect(attempts[0]).toMatchObject({ attempt: 1, status: 503 });
			expect(attempts[0].outcome).not.toBe('delivered');
			expect(attempts.find((d) => d.outcome === 'delivered')?.attempt).toBe(2);

			const [run] = await waitForExecutions(env.n8n, sync.id, 1, forJob(jobId));
			expect(event(run)).toMatchObject({ eventType: 'JobAssigned', jobStatus: 'Assigned' });
			await move(jobId, 'InProgress', 'JobStarted');
			await waitForExecutions(env.n8n, sync.id, 2, forJob(jobId));
			expect((await settledExecutionsOf(env.n8n, sync.id)).filter(forJob(jobId)).map((e) => event(e).eventType)).toEqual([
				'JobAssigned',
				'JobStarted',
			]);
		} finally {
			sandbox.configure({ callbackUrl: syncUrl });
			await new Promise((resolve) => proxy.close(resolve));
		}
	}, TEST_TIMEOUT_MS);

	it('treats a re-assignment after a withdrawal as new, not as a duplicate', async () => {
		const jobId = await createJobDirectly(sandbox, 'E2E withdrawal');
		await move(jobId, 'Assigned', 'JobAssigned');
		await control.withdraw(sandbox, jobId);
		await delivered(jobId, 'JobWithdrawed');
		await control.transition(sandbox, jobId, 'Assigned');
		await delivered(jobId, 'JobAssigned', 2);
		const runs = await waitForExecutions(env.n8n, sync.id, 3, forJob(jobId));
		expect(runs.map((e) => [event(e).eventType, event(e).jobStatus])).toEqual([
			['JobAssigned', 'Assigned'],
			['JobWithdrawed', 'New'],
			['JobAssigned', 'Assigned'],
		]);
	}, TEST_TIMEOUT_MS);

	it('runs the "email the client" example only on completion, with the full job details', async () => {
		sandbox.configure({ callbackUrl: emailUrl });
		try {
			const jobId = await createJobDirectly(sandbox, 'E2E email on completion');
			await move(jobId, 'Assigned', 'JobAssigned');
			await move(jobId, 'InProgress', 'JobStarted');
			await move(jobId, 'Completed', 'JobCompleted');
			const [run] = await waitForExecutions(env.n8n, email.id, 1, forJob(jobId, EMAIL_TRIGGER));
			expect(run.status).toBe('success');
			expect((await settledExecutionsOf(env.n8n, email.id)).filter(forJob(jobId, EMAIL_TRIGGER))).toHaveLength(1);

			const stored = await control.job(sandbox, jobId);
			const job = nodeOutput(run, 'Get full job')[0].json;
			expect(job).toMatchObject({ jobId, status: 'Completed', name: 'E2E email on completion' });
			expect(job.guardian).toMatchObject({ guardianId: stored.guardian?.guardianId, lastName: stored.guardian?.lastName });
			const mail = nodeOutput(run, 'Compose email')[0].json;
			expect(mail.to).toBe('client@example.com');
			// the start as people read it, in the workflow's time zone (UTC here), not an ISO stamp
			const start = new Date(stored.job.whenDate);
			const day = start.toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).replace(',', '');
			const time = start.toISOString().slice(11, 16);
			expect(mail.when).toBe(`${day} at ${time} UTC`);
			expect(String(mail.text)).toContain(`scheduled for ${day} at ${time} UTC`);
			expect(String(mail.text)).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
			expect(nodeOutput(run, 'Has an email address?', 0)).toHaveLength(1);
			expect(String(mail.subject)).toContain('E2E email on completion');
			expect(String(mail.text)).toContain(`${stored.guardian?.firstName} ${stored.guardian?.lastName}`);
			expect(String(mail.text)).toContain(`#${jobId}`);
		} finally {
			sandbox.configure({ callbackUrl: syncUrl });
		}
	}, TEST_TIMEOUT_MS);
	it('keeps delivering when the saved memory is hostile, and cleans it with the next save', async () => {
		const trigger = `node:${ROTATION_TRIGGER}`;
		const jobId = 880001;
		// what a tampered or corrupted database could hold: keys that are no job ids, a huge value;
		// beside them one genuine entry (job 880009 has started), which must still be honoured
		const known = `880009=1.0.1.${Date.now().toString(36)}`;
		writeStaticData(rotationOpen.id, (data) => ({
			...data,
			[trigger]: { ...((data[trigger] as object) ?? {}), deliveries: { v: 3, jobs: `__proto__=1.0.1.a constructor=1.0.1.a toString=x 1=${'9'.repeat(5000)} ${known}`, pruned: 'x' } },
		}));
		const knownStart = JSON.stringify({ jobId: 880009, eventType: 'JobStarted', jobName: 'E2E hostile memory', jobStatus: 'InProgress' });
		const replayed = await post(openUrl, knownStart, { 'x-signature': signCallbackBody(knownStart, sandbox.callbackSecret) });
		expect(await replayed.json()).toEqual({ status: 'duplicate' });
		const send = (eventType: string, jobStatus: string) => {
			const body = JSON.stringify({ jobId, eventType, jobName: 'E2E hostile memory', jobStatus, guardianPhone: '+15550100' });
			return post(openUrl, body, { 'x-signature': signCallbackBody(body, sandbox.callbackSecret) });
		};
		expect((await send('JobAssigned', 'Assigned')).status).toBe(200);
		const started = await send('JobStarted', 'InProgress');
		expect(started.status).toBe(200);
		expect(await started.json()).toEqual({ status: 'accepted' });
		// the start is remembered again: its retry is a duplicate
		expect(await (await send('JobStarted', 'InProgress')).json()).toEqual({ status: 'duplicate' });
		const runs = await waitForExecutions(env.n8n, rotationOpen.id, 2, forJob(jobId, ROTATION_TRIGGER));
		expect(runs.map((e) => [e.status, event(e, ROTATION_TRIGGER).eventType])).toEqual([
			['success', 'JobAssigned'],
			['success', 'JobStarted'],
		]);
		const saved = (readStaticData(rotationOpen.id)[trigger] as { deliveries: { jobs: string } }).deliveries;
		expect(saved.jobs.split(' ').map((entry) => entry.split('=')[0]).sort()).toEqual(['880001', '880009']);
	}, TEST_TIMEOUT_MS);

	it('accepts the previous callback secret before its end, saying so in the item', async () => {
		const jobId = 880002;
		const body = JSON.stringify({ jobId, eventType: 'JobAssigned', jobName: 'E2E previous secret', jobStatus: 'Assigned', guardianPhone: '+15550100' });
		const reply = await post(openUrl, body, { 'x-signature': signCallbackBody(body, PREVIOUS_SECRET) });
		expect(reply.status).toBe(200);
		const [run] = await waitForExecutions(env.n8n, rotationOpen.id, 1, forJob(jobId, ROTATION_TRIGGER));
		expect(event(run, ROTATION_TRIGGER)).toMatchObject({ jobId, verifiedWith: 'previous', signedWithPreviousSecret: true });
	}, TEST_TIMEOUT_MS);

	it('refuses the previous callback secret after its end with 401 and starts no execution', async () => {
		const refusedJobId = 880003;
		const body = JSON.stringify({ jobId: refusedJobId, eventType: 'JobAssigned', jobName: 'E2E ended secret', jobStatus: 'Assigned', guardianPhone: '+15550100' });
		const refused = await post(endedUrl, body, { 'x-signature': signCallbackBody(body, PREVIOUS_SECRET) });
		expect(refused.status).toBe(401);
		expect(await refused.json()).toEqual({ status: 'rejected', reason: 'previous-secret-ended' });
		// the same callback signed with the current secret runs: the marker that all has arrived
		const accepted = await post(endedUrl, body, { 'x-signature': signCallbackBody(body, sandbox.callbackSecret) });
		expect(accepted.status).toBe(200);
		const [run] = await waitForExecutions(env.n8n, rotationEnded.id, 1, forJob(refusedJobId, ROTATION_TRIGGER));
		expect(event(run, ROTATION_TRIGGER)).toMatchObject({ verifiedWith: 'current', signedWithPreviousSecret: false });
		expect(await settledExecutionsOf(env.n8n, rotationEnded.id)).toHaveLength(1);
	}, TEST_TIMEOUT_MS);

	it('runs the start an assignment arriving after the completion proves, after it in the same execution', async () => {
		const jobId = 880014;
		const send = async (eventType: string, jobStatus: string) => {
			const body = JSON.stringify({ jobId, eventType, jobName: 'E2E late assignment', jobStatus, guardianPhone: '+15550100' });
			return (await post(openUrl, body, { 'x-signature': signCallbackBody(body, sandbox.callbackSecret) })).json();
		};
		expect(await send('JobCompleted', 'Completed')).toEqual({ status: 'accepted' });
		expect(await send('JobAssigned', 'Assigned')).toEqual({ status: 'accepted' });
		expect(await send('JobStarted', 'InProgress')).toEqual({ status: 'duplicate' });
		const runs = await waitForExecutions(env.n8n, rotationOpen.id, 2, forJob(jobId, ROTATION_TRIGGER));
		const items = runs.map((run) => nodeOutput(run, ROTATION_TRIGGER).map((item) => [item.json.eventType, item.json.recoveredBecause ?? null]));
		expect(items).toEqual([[['JobCompleted', null]], [['JobAssigned', null], ['JobStarted', 'implied']]]);
		expect(nodeOutput(runs[1], ROTATION_TRIGGER)[1].json).toMatchObject({ jobStatus: 'InProgress', guardianPhone: null, stale: true, recovered: true });
	}, TEST_TIMEOUT_MS);

	it('takes a callback secret changed in the running n8n at once, though the node keeps the secrets it read', async () => {
		const callback = (jobId: number) => JSON.stringify({ jobId, eventType: 'JobAssigned', jobName: 'E2E live rotation', jobStatus: 'Assigned', guardianPhone: '+15550100' });
		const before = callback(880004);
		expect((await post(liveUrl, before, { 'x-signature': signCallbackBody(before, sandbox.callbackSecret) })).status).toBe(200);
		// the user saves a new callback secret (the previous one emptied) in the running n8n
		const rotated = 'e2e-rotated-callback-secret';
		const session = await N8nSession.login(env.n8n.baseUrl, E2E_OWNER);
		const record = credentialRecord({ id: 'g2sRotationLive1', name: 'g2sRotationLive1' }, sandbox);
		await session.call('PATCH', '/credentials/g2sRotationLive1', {
			name: record.name,
			type: CREDENTIAL_TYPE,
			data: { ...(record.data as object), callbackSecret: rotated, previousCallbackSecret: '' },
		});
		// first attempt: the secrets the node kept refuse it, so it reads the credential again
		const after = callback(880005);
		const accepted = await post(liveUrl, after, { 'x-signature': signCallbackBody(after, rotated) });
		expect(accepted.status).toBe(200);
		expect(await accepted.json()).toEqual({ status: 'accepted' });
		const removed = callback(880006);
		const refused = await post(liveUrl, removed, { 'x-signature': signCallbackBody(removed, sandbox.callbackSecret) });
		expect(refused.status).toBe(401);
		expect(await refused.json()).toEqual({ status: 'rejected', reason: 'mismatch' });
		await waitForExecutions(env.n8n, rotationLive.id, 2);
		const runs = await settledExecutionsOf(env.n8n, rotationLive.id);
		expect(runs.map((run) => event(run, ROTATION_TRIGGER)).sort((a, b) => Number(a.jobId) - Number(b.jobId))).toEqual([
			expect.objectContaining({ jobId: 880004, verifiedWith: 'current' }),
			expect.objectContaining({ jobId: 880005, verifiedWith: 'current' }),
		]);
	}, TEST_TIMEOUT_MS);

	// Last: switching the dispatcher on also moves the jobs earlier tests left open.
	it('follows a job the simulated Guardian runs on its own, callbacks shuffled, stale ones dropped', async () => {
		sandbox.configure({ autoDispatch: true, timeScale: 1000, chaos: { shuffleDeliveries: true } });
		try {
			const jobId = await createJobDirectly(sandbox, 'E2E dispatched');
			await waitFor('the job to complete', async () => ((await control.job(sandbox, jobId)).status === 'Completed' ? true : undefined));
			await delivered(jobId, 'JobCompleted');
			await waitForExecutions(env.n8n, sync.id, 1, (e) => forJob(jobId)(e) && event(e).eventType === 'JobCompleted');
			const runs = (await settledExecutionsOf(env.n8n, sync.id)).filter(forJob(jobId));
			const events = runs.map((e) => String(event(e).eventType));
			// each event at most once, nothing after completion (late, older events are stale)
			expect(new Set(events).size).toBe(events.length);
			expect(events[events.length - 1]).toBe('JobCompleted');
			for (const run of runs) expect(nodeOutput(run, 'Row for the job')[0].json.status).toBe(event(run).jobStatus);
		} finally {
			sandbox.configure({ autoDispatch: false, timeScale: 100, chaos: { shuffleDeliveries: false } });
		}
	}, TEST_TIMEOUT_MS);
});

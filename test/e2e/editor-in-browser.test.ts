// What a user sees, checked in headless Chromium against the demo's real n8n (the packed package
// installed as a community package): the login, the action node's fields per operation, the
// credential's test button, the trigger's panel and Production URL, and after one job's
// lifecycle its executions, its row in the Data Table and the client's email in the inbox page.
// Screenshots go to .test-results/screenshots/ (run artefacts, not committed).
import type { Page } from 'puppeteer-core';

import { createDemoJobs, DEMO_OWNER, EMAIL_EXAMPLE, startDemo, stopDemo, TABLE_SYNC_EXAMPLE, type Demo, type DemoParts } from '../../lab/demo/setup';
import { ACTION_NODE, credentialRecord, type CredentialRef, type Workflow, type WorkflowNode } from '../../lab/helpers/harness';
import { chromiumPath, clickByText, launchChromium, testId, textOf, waitForText, type Chromium } from '../../lab/helpers/browser';
import { SETUP_TIMEOUT_MS, waitFor } from '../../lab/helpers/e2e';

const BROWSER_TEST_TIMEOUT_MS = 240_000;
const WRONG_SECRET: CredentialRef = { id: 'g2sWrongSecret01', name: 'G2 Sentry (wrong secret)' };

/** What the node panel shows for each operation: the field labels, in order (the rest hidden). */
const FIELDS_BY_OPERATION: Array<{ resource: string; operation: string; labels: string[] }> = [
	{
		resource: 'job',
		operation: 'create',
		labels: ['Resource', 'Operation', 'Name', 'Scheduled Start', 'Duration (Minutes)', 'Location', 'Additional Fields'],
	},
	{ resource: 'job', operation: 'get', labels: ['Resource', 'Operation', 'Job ID'] },
	{ resource: 'job', operation: 'update', labels: ['Resource', 'Operation', 'Job ID', 'Update Fields'] },
	{ resource: 'job', operation: 'cancel', labels: ['Resource', 'Operation', 'Job ID'] },
	{ resource: 'job', operation: 'getStatus', labels: ['Resource', 'Operation', 'Job ID'] },
	{ resource: 'job', operation: 'review', labels: ['Resource', 'Operation', 'Job ID', 'Rating', 'Review'] },
	{ resource: 'guardian', operation: 'getProfile', labels: ['Resource', 'Operation', 'Job ID', 'Guardian ID'] },
];
const nodeNameOf = (op: { resource: string; operation: string }) => `${op.resource} ${op.operation}`;

/** One G2 Sentry node per operation, side by side, as a user would add them. */
const tour: Workflow = {
	id: 'g2sE2eEditorTour',
	name: 'e2e: every G2 Sentry operation',
	nodes: FIELDS_BY_OPERATION.map(
		(op, i): WorkflowNode => ({
			id: `tour-${i}`,
			name: nodeNameOf(op),
			type: ACTION_NODE,
			typeVersion: 1,
			position: [(i % 4) * 260, Math.floor(i / 4) * 220],
			parameters: { resource: op.resource, operation: op.operation },
		}),
	),
	connections: {},
	settings: { executionOrder: 'v1' },
	active: false,
};

let demo: Demo;
const parts: DemoParts = {};
let chromium: Chromium;
let page: Page;

const base = () => demo.env.n8n.baseUrl;

async function openWorkflow(workflowId: string): Promise<void> {
	await page.goto(`${base()}/workflow/${workflowId}`, { waitUntil: 'domcontentloaded' });
	await page.waitForSelector(testId('canvas-node'), { visible: true, timeout: 60_000 });
}

/** Double-clicks a node on the open workflow's canvas: its panel (NDV) opens. */
async function openNode(nodeName: string): Promise<void> {
	const node = await page.waitForSelector(`${testId('canvas-node')}[data-node-name="${nodeName}"]`, { visible: true });
	await node!.click({ count: 2 });
	await page.waitForSelector(`${testId('ndv')} ${testId('node-parameters')}`, { visible: true });
}

async function closeNode(): Promise<void> {
	await page.keyboard.press('Escape');
	await page.waitForSelector(testId('ndv'), { hidden: true });
}

/** Runs a test's steps; on failure keeps a screenshot of what the page showed, then fails. */
async function showing(name: string, steps: () => Promise<void>): Promise<void> {
	try {
		await steps();
	} catch (error) {
		await chromium.screenshot(`FAILED-${name}`).catch(() => {});
		throw error;
	}
}

async function openCredential(id: string): Promise<void> {
	await page.goto(`${base()}/home/credentials/${id}`, { waitUntil: 'domcontentloaded' });
	await page.waitForSelector(testId('editCredential-modal'), { visible: true });
}

/** Presses the credential modal's test button and returns what n8n's credential test answered. */
async function pressCredentialTest(): Promise<{ status: string; message: string }> {
	const retry = `${testId('editCredential-modal')} button[title="Retry credential test"]`;
	await page.waitForSelector(retry, { visible: true, timeout: 60_000 });
	const [answer] = await Promise.all([
		page.waitForResponse((res) => res.url().endsWith('/rest/credentials/test') && res.request().method() === 'POST', { timeout: 60_000 }),
		page.click(retry),
	]);
	const body = (await answer.json()) as { data?: { status: string; message: string } };
	return body.data ?? { status: `HTTP ${answer.status()}`, message: '' };
}

beforeAll(async () => {
	chromiumPath(); // no Chromium: fail here with how to install it, before minutes of setup
	demo = await startDemo(
		{
			timeScale: 8,
			withdrawRate: 0,
			extraWorkflows: [tour],
			extraCredentials: (sandbox) => [
				credentialRecord(WRONG_SECRET, { ...sandbox, partner: { ...sandbox.partner, partnerSecret: 'not-the-partner-secret' } }),
			],
		},
		parts,
	);
	chromium = await launchChromium();
	page = chromium.page;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
	await chromium?.close();
	await stopDemo(parts);
}, 60_000);

describe('n8n editor in a browser, with the package installed', () => {
	it('logs in with the owner account', () =>
		showing('login', async () => {
			await page.goto(`${base()}/signin`, { waitUntil: 'domcontentloaded' });
			await page.waitForSelector(`${testId('emailOrLdapLoginId')} input`, { visible: true });
			await page.type(`${testId('emailOrLdapLoginId')} input`, DEMO_OWNER.email);
			await page.type(`${testId('password')} input`, DEMO_OWNER.password);
			await page.click(testId('form-submit-button'));
			await page.waitForFunction(() => !(globalThis as unknown as { location: { pathname: string } }).location.pathname.includes('signin'));
			await waitForText(page, 'Overview');
			await chromium.screenshot('01-overview-after-login');
		}), BROWSER_TEST_TIMEOUT_MS);

	it("shows each operation's fields in the G2 Sentry node, and hides the others", () =>
		showing('node-fields', async () => {
			const shownByOperation: Record<string, string[]> = {};
			await openWorkflow(tour.id);
			for (const op of FIELDS_BY_OPERATION) {
				await openNode(nodeNameOf(op));
				// the notice where a setting can hurt: Retry On Fail would book twice
				if (op.operation === 'create') await waitForText(page, 'Do not turn on Retry On Fail', testId('ndv'));
				shownByOperation[nodeNameOf(op)] = await page.$$eval(`${testId('node-parameters')} ${testId('input-label')}`, (labels) =>
					labels
						.filter((label) => (label as unknown as { getClientRects(): { length: number } }).getClientRects().length > 0)
						.map((label) => (label as unknown as { innerText: string }).innerText.split('\n')[0].replace(/\*$/, '').trim()),
				);
				await chromium.screenshot(`02-node-${op.resource}-${op.operation}`);
				await closeNode();
			}
			// one comparison for all, so a failure lists every operation's difference at once
			expect(shownByOperation).toEqual(Object.fromEntries(FIELDS_BY_OPERATION.map((op) => [nodeNameOf(op), op.labels])));
		}), 2 * BROWSER_TEST_TIMEOUT_MS);

	it("credential: the test button succeeds against the sandbox", () =>
		showing('credential-success', async () => {
			await openCredential(demo.env.credential.id);
			const answer = await pressCredentialTest();
			expect(answer).toEqual(expect.objectContaining({ status: 'OK' }));
			await page.waitForSelector(testId('credentials-config-container-test-success'), { visible: true });
			await waitForText(page, 'Connection tested successfully', testId('editCredential-modal'));
			await chromium.screenshot('03-credential-test-success');
		}), BROWSER_TEST_TIMEOUT_MS);

	it('credential: the test button says in plain words that a wrong secret was refused', () =>
		showing('credential-wrong-secret', async () => {
			await openCredential(WRONG_SECRET.id);
			const answer = await pressCredentialTest();
			const plainWords = 'G2 Sentry did not accept the partner key and secret';
			expect(answer.status).toBe('Error');
			expect(answer.message).toContain(plainWords);
			await waitForText(page, 'Couldn’t connect with these settings', testId('editCredential-modal'));
			await clickByText(page, `${testId('editCredential-modal')} *`, 'More details');
			await waitForText(page, plainWords, testId('editCredential-modal'));
			expect(await textOf(page, testId('editCredential-modal'))).not.toContain('not-the-partner-secret');
			await chromium.screenshot('04-credential-test-wrong-secret');
		}), BROWSER_TEST_TIMEOUT_MS);

	it("trigger: the panel explains test and production, and shows the published workflow's Production URL", () =>
		showing('trigger-panel', async () => {
			const workflow = demo.examples[TABLE_SYNC_EXAMPLE];
			const trigger = workflow.nodes.find((n) => n.type.endsWith('.g2SentryTrigger'))!;
			await openWorkflow(workflow.id);
			await openNode(trigger.name);
			const ndv = testId('ndv');
			await waitForText(page, 'Copy this node\'s Production URL', ndv);
			await clickByText(page, `${ndv} *`, 'When will this node trigger my flow?');
			await waitForText(page, 'possibleRepeat: true', ndv);
			await waitForText(page, 'send a signed sample event to the Test URL yourself', ndv);
			await waitForText(page, 'Never put the Test URL in your live partner profile', ndv);
			expect(await textOf(page, ndv)).not.toContain('set it as the callback URL');
			await waitForText(page, 'The workflow is published', ndv);
			await page.click(`${ndv} [title="Click to display webhook URLs"]`);
			await page.click(`${ndv} ${testId('radio-button-production')}`);
			const url = demo.env.triggerUrls[workflow.id];
			await page.waitForFunction(
				(wanted: string) =>
					Array.from(
						(globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ innerText: string }> } }).document.querySelectorAll(
							'[data-test-id="ndv"] .webhook-url',
						),
					).some((el) => el.innerText.trim() === wanted),
				{ timeout: 30_000 },
				url,
			);
			await chromium.screenshot('05-trigger-panel-production-url');
		}), BROWSER_TEST_TIMEOUT_MS);

	it("after one job's lifecycle: its executions are listed, its row is in the Data Table, its email is in the inbox", () =>
		showing('job-lifecycle', async () => {
			const job = { name: 'Browser test: loading dock', clientEmail: 'browser-client@example.com', address1: '7 Harbor Rd' };
			const [jobId] = await createDemoJobs(demo.sandbox, [job]);
			const subject = `Your security job "${job.name}" is complete`;
			const email = await waitFor(
				'the completion email',
				async () => (await demo.mailbox.messages()).find((m) => m.subject === subject),
				180_000,
			);
			expect(email.to).toEqual([job.clientEmail]);

			// executions: the sync workflow ran for Assigned, Started, Completed; the email one once
			const syncName = demo.examples[TABLE_SYNC_EXAMPLE].name;
			const emailName = demo.examples[EMAIL_EXAMPLE].name;
			await page.goto(`${base()}/home/executions`, { waitUntil: 'domcontentloaded' });
			const rows = async () =>
				page.$$eval(testId('global-execution-list-item'), (items) => items.map((i) => (i as unknown as { innerText: string }).innerText));
			const listed = await waitFor('the executions in the list', async () => {
				const texts = await rows();
				const sync = texts.filter((t) => t.includes(syncName) && /Success/i.test(t)).length;
				const mail = texts.filter((t) => t.includes(emailName) && /Success/i.test(t)).length;
				return sync >= 3 && mail >= 1 ? texts : undefined;
			}, 90_000);
			expect(listed.length).toBeGreaterThanOrEqual(4);
			await chromium.screenshot('06-executions-listed');

			// the CRM row: one per job, its last status
			await page.goto(`${base()}/projects/${demo.table.projectId}/datatables/${demo.table.id}`, { waitUntil: 'domcontentloaded' });
			await waitForText(page, job.name);
			await waitForText(page, 'JobCompleted');
			const rowsInTable = await demo.session.dataTableRows(demo.table);
			// what a completed job's row holds: the Guardian's number seen on assignment is kept (the
			// completion carries none), and the row says that the masked number stopped working
			expect(rowsInTable.filter((r) => r.jobId === jobId)).toEqual([
				expect.objectContaining({
					jobName: job.name,
					status: 'Completed',
					lastEvent: 'JobCompleted',
					guardianPhone: expect.stringMatching(/^\+\d{6,}$/),
					phoneStatus: 'stopped working after completion',
				}),
			]);
			await waitForText(page, 'stopped working after completion');
			await chromium.screenshot('07-data-table-row');

			// the inbox page: the message is listed and, opened, names the Guardian, the place and the time
			const guardian = (await (await fetch(`${demo.sandbox.controlUrl}/jobs/${jobId}`)).json()) as {
				guardian: { firstName: string; lastName: string };
				job: { whenDate: string };
			};
			await page.goto(demo.mailbox.webUrl, { waitUntil: 'domcontentloaded' });
			await clickByText(page, '[data-testid="email-list-item"]', subject);
			const viewer = '[data-testid="email-viewer"]';
			await waitForText(page, `${guardian.guardian.firstName} ${guardian.guardian.lastName}`, viewer);
			await waitForText(page, job.address1, viewer);
			// the start as people read it, in the workflow's time zone (the demo's n8n runs in UTC)
			const start = new Date(guardian.job.whenDate);
			const day = start.toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).replace(',', '');
			await waitForText(page, `${day} at ${start.toISOString().slice(11, 16)} UTC`, viewer);
			expect(await textOf(page, viewer)).not.toContain(guardian.job.whenDate);
			await chromium.screenshot('08-inbox-completion-email');
		}), BROWSER_TEST_TIMEOUT_MS);
});

// Everything `npm start` brings up, as one call the demo's CLI and the browser test share: the
// sandbox, a mail server with a web inbox, a real n8n with the package, the G2 Sentry and SMTP
// credentials, the example workflows (the email one sending to the inbox), the Data Table the
// job-sync example fills, and the relay that fans the sandbox's callbacks out to both triggers.
import { startSandbox, type Sandbox } from '../sandbox';
import {
	disposeAllN8n,
	loadExampleWorkflows,
	MAILBOX_CREDENTIAL,
	N8nSession,
	sendingEmailThrough,
	smtpCredentialRecord,
	startMailbox,
	startN8nWithPackage,
	type DataTable,
	type Mailbox,
	type N8nOwner,
	type StartedN8n,
	type Workflow,
} from '../helpers/harness';
import { startRelay, type Relay } from './relay';

export const DEMO_OWNER: N8nOwner = { email: 'demo@example.com', password: 'Demo-g2sentry-1', firstName: 'Demo', lastName: 'User' };
export const EMAIL_EXAMPLE = 'email-client-when-job-completed';
export const TABLE_SYNC_EXAMPLE = 'sync-job-status-to-data-table';
export const FORM_EXAMPLE = 'book-job-from-form';
// The Google Sheets variant is imported too (for real use) but not published: it needs a sheet.
const TRIGGER_EXAMPLES = [TABLE_SYNC_EXAMPLE, EMAIL_EXAMPLE];

/** The table the Data Table example upserts into (its node finds it by this name). */
export const JOBS_TABLE = {
	name: 'G2 Sentry jobs',
	columns: [
		{ name: 'jobId', type: 'number' as const },
		{ name: 'jobName', type: 'string' as const },
		{ name: 'status', type: 'string' as const },
		{ name: 'lastEvent', type: 'string' as const },
		{ name: 'guardianPhone', type: 'string' as const },
		{ name: 'phoneStatus', type: 'string' as const },
		{ name: 'receivedAt', type: 'string' as const },
	],
};

export interface DemoOptions {
	sandboxPort?: number;
	n8nPort?: number;
	/** Sandbox clock speed-up (8: a job's lifecycle takes ~30 s). */
	timeScale: number;
	/** Share of acceptances a Guardian later withdraws (0 for a test that wants a plain lifecycle). */
	withdrawRate: number;
	/** More workflows and credentials to import beside the demo's own (tests use this). */
	extraWorkflows?: Workflow[];
	extraCredentials?: (sandbox: Sandbox) => Array<{ id: string }>;
	log?: (message: string) => void;
}

export interface Demo {
	sandbox: Sandbox;
	mailbox: Mailbox;
	env: StartedN8n;
	/** The owner's REST session (the demo created the table with it). */
	session: N8nSession;
	table: DataTable;
	/** The example workflows as imported (the email one enabled), by file name. */
	examples: Record<string, Workflow>;
}

/** What a started demo holds, for stopDemo() (filled while starting, so an interrupted start can be undone). */
export interface DemoParts {
	sandbox?: Sandbox;
	mailbox?: Mailbox;
	relay?: Relay;
}

export async function startDemo(options: DemoOptions, parts: DemoParts = {}): Promise<Demo> {
	const sandbox = (parts.sandbox = await startSandbox({
		port: options.sandboxPort ?? 0,
		autoDispatch: true,
		timeScale: options.timeScale,
		chaos: { withdrawRate: options.withdrawRate },
	}));
	const mailbox = (parts.mailbox = await startMailbox());
	const examples = loadExampleWorkflows();
	// the demo's own copy sends through the inbox; the example file waits for the user's SMTP
	examples[EMAIL_EXAMPLE] = sendingEmailThrough(examples[EMAIL_EXAMPLE], MAILBOX_CREDENTIAL);
	const triggers = TRIGGER_EXAMPLES.map((name) => examples[name]);
	const env = await startN8nWithPackage({
		sandbox,
		owner: DEMO_OWNER,
		port: options.n8nPort,
		workflows: [...Object.values(examples), ...(options.extraWorkflows ?? [])],
		moreCredentials: [smtpCredentialRecord(mailbox), ...(options.extraCredentials?.(sandbox) ?? [])],
		publish: [...triggers.map((wf) => wf.id), examples[FORM_EXAMPLE].id],
		log: options.log,
	});
	// before the first event: the sync workflow looks its table up by name when it runs
	const session = await N8nSession.login(env.n8n.baseUrl, DEMO_OWNER);
	const table = await session.createDataTable(JOBS_TABLE.name, JOBS_TABLE.columns);
	const relay = (parts.relay = await startRelay(triggers.map((wf) => env.triggerUrls[wf.id])));
	sandbox.configure({ callbackUrl: relay.url });
	return { sandbox, mailbox, env, session, table, examples };
}

/** Stops n8n (also one still starting), the relay, the mail server and the sandbox. */
export async function stopDemo(parts: DemoParts): Promise<void> {
	await disposeAllN8n().catch(() => {});
	await parts.relay?.close().catch(() => {});
	await parts.mailbox?.close().catch(() => {});
	await parts.sandbox?.close().catch(() => {});
}

export interface DemoJob {
	name: string;
	clientEmail: string;
	address1: string;
}

/** Books jobs through the sandbox's Partner API (as another system would), the client's email in Client Info. */
export async function createDemoJobs(sandbox: Sandbox, jobs: DemoJob[]): Promise<number[]> {
	const login = await fetch(`${sandbox.baseUrl}/access/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(sandbox.partner),
	});
	const { accessToken } = (await login.json()) as { accessToken: string };
	const ids: number[] = [];
	for (const [i, job] of jobs.entries()) {
		const res = await fetch(`${sandbox.baseUrl}/jobs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
			body: JSON.stringify({
				name: job.name,
				whenDate: new Date(Date.now() + (24 + i) * 3600_000).toISOString(),
				duration: 120 + 60 * i,
				location: { address: { address1: job.address1, city: 'New York', state: 'NY', zip: '10001' } },
				client: { clientId: `demo-client-${i + 1}`, clientInfo: job.clientEmail },
			}),
		});
		if (!res.ok) throw new Error(`creating a demo job failed: ${res.status} ${await res.text()}`);
		ids.push(((await res.json()) as { jobId: number }).jobId);
	}
	return ids;
}

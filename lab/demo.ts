/**
 * `npm start`: a local G2 Sentry sandbox, a development mail server with a web inbox, and a real
 * n8n with this package installed from its packed tarball, a ready credential, the example
 * workflows imported (the email one sending to the inbox) and the trigger and form workflows
 * published, a Data Table the job-sync workflow fills, an owner account to log in with, and a few
 * demo jobs that Guardians (simulated) accept, start and complete within a minute. Ctrl-C stops
 * the sandbox, the mail server, n8n and its task runner.
 *
 * Environment: G2S_DEMO_PORT (n8n, default 5678), G2S_SANDBOX_PORT (default 4010),
 * G2S_DEMO_TIME_SCALE (default 8: a job's lifecycle takes ~30 s).
 */
import net from 'node:net';

import { MAILBOX_CREDENTIAL } from './helpers/harness';
import {
	createDemoJobs,
	DEMO_OWNER,
	EMAIL_EXAMPLE,
	FORM_EXAMPLE,
	startDemo,
	stopDemo,
	TABLE_SYNC_EXAMPLE,
	type Demo,
	type DemoParts,
} from './demo/setup';

const DEMO_JOBS = [
	{ name: 'Open house, 12 Main St', clientEmail: 'client1@example.com', address1: '12 Main St' },
	{ name: 'Gallery opening night', clientEmail: 'client2@example.com', address1: '13 Main St' },
	{ name: 'Overnight watch, Dock 4', clientEmail: 'client3@example.com', address1: '14 Main St' },
];

const say = (message: string) => process.stdout.write(`[demo] ${message}\n`);

async function portIsFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const probe = net.createServer();
		probe.once('error', () => resolve(false));
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
}

async function choosePort(preferred: number, what: string): Promise<number> {
	if (await portIsFree(preferred)) return preferred;
	say(`port ${preferred} is taken; ${what} uses a free port instead`);
	return 0;
}

/** What a first-time user needs, in the order they need it. */
function instructions({ env, sandbox, mailbox, table, examples }: Demo, jobIds: number[]): string {
	const base = env.n8n.baseUrl;
	const name = (key: string) => `"${examples[key].name}"`;
	return [
		'',
		'G2 Sentry demo is running.',
		`  1. Open n8n:          ${base}  and log in with  ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`,
		`  2. Watch the jobs:    ${base}/home/executions — jobs ${jobIds.map((id) => `#${id}`).join(', ')} move`,
		'                        New → Assigned → InProgress → Completed within about a minute: each step is a',
		`                        run of ${name(TABLE_SYNC_EXAMPLE)},`,
		`                        each completed job a run of ${name(EMAIL_EXAMPLE)}.`,
		`  3. See the CRM table: ${base}/projects/${table.projectId}/datatables/${table.id}`,
		`                        (Overview → Data tables → "${table.name}"): one row per job, updated on every event.`,
		`  4. Read the emails:   ${mailbox.webUrl}  — each completed job emails its client the Guardian's`,
		'                        name, the place and the time.',
		`  5. Book a job:        ${env.formUrls[examples[FORM_EXAMPLE].id]}  (the published form; a state "ny" or a`,
		'                        start less than 2 hours ahead shows the reason G2 Sentry refuses it), or open',
		`                        ${name('create-jobs-from-rows')}`,
		'                        in n8n and click "Execute workflow". Booked jobs move through their lifecycle too.',
		'',
		`  credential: "${env.credential.name}" → ${sandbox.baseUrl} (partner ${sandbox.partner.partnerKey})`,
		`  SMTP:       "${MAILBOX_CREDENTIAL.name}" → ${mailbox.smtpHost}:${mailbox.smtpPort} (nothing leaves this machine)`,
		`  sandbox:    ${sandbox.controlUrl}/jobs lists every job; POST {"to":"Canceled"} (or another status) to`,
		`              ${sandbox.controlUrl}/jobs/<id>/transition moves one by hand`,
		`  n8n log:    ${env.n8n.logFile}`,
		"Press Ctrl-C to stop everything (the demo's n8n data is deleted).",
		'',
	].join('\n');
}

async function main(): Promise<void> {
	const parts: DemoParts = {};
	let stopping = 0;

	const stop = async (code: number) => {
		if (stopping) return;
		stopping = Date.now();
		say('stopping n8n, its task runner, the mail server and the sandbox…');
		// every part, also one still starting (Ctrl-C before it was ready leaves no folder behind)
		await stopDemo(parts);
		say('stopped.');
		process.exit(code);
	};
	// One Ctrl-C can arrive twice (from the terminal and relayed by tsx): only a second press
	// some time later means "leave now" (the harness still kills n8n's process group on exit).
	process.on('SIGINT', () => (stopping && Date.now() - stopping > 1500 ? process.exit(130) : void stop(0)));
	process.on('SIGTERM', () => void stop(0));

	try {
		say('starting; the first run on a machine also installs n8n (a few minutes, progress below)');
		const demo = await startDemo(
			{
				sandboxPort: await choosePort(Number(process.env.G2S_SANDBOX_PORT ?? 4010), 'the sandbox'),
				n8nPort: (await choosePort(Number(process.env.G2S_DEMO_PORT ?? 5678), 'n8n')) || undefined,
				timeScale: Number(process.env.G2S_DEMO_TIME_SCALE ?? 8),
				// now and then a Guardian withdraws and another accepts: the executions show that too
				withdrawRate: 0.2,
				log: say,
			},
			parts,
		);
		const jobIds = await createDemoJobs(demo.sandbox, DEMO_JOBS);
		process.stdout.write(instructions(demo, jobIds));
	} catch (error) {
		// Ctrl-C while starting fails the start on purpose; stop() is already tidying up
		if (stopping) return;
		process.stderr.write(`[demo] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
		await stop(1);
	}
}

void main();

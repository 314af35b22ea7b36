/**
 * `npm start`: a local G2 Sentry sandbox and a real n8n with this package installed from its packed
 * tarball, a ready credential, the example workflows imported and the trigger and form workflows
 * published, an owner account to log in with, and a few demo jobs that Guardians (simulated)
 * accept, start and complete within a minute. Ctrl-C stops the sandbox, n8n and its task runner.
 *
 * Environment: G2S_DEMO_PORT (n8n, default 5678), G2S_SANDBOX_PORT (default 4010),
 * G2S_DEMO_TIME_SCALE (default 8: a job's lifecycle takes ~30 s).
 */
import net from 'node:net';

import { startSandbox, type Sandbox } from '../sandbox';
import { disposeAllN8n, loadExampleWorkflows, startN8nWithPackage, type StartedN8n, type Workflow } from './harness';
import { startRelay, type Relay } from './demo/relay';

const OWNER = { email: 'demo@example.com', password: 'Demo-g2sentry-1', firstName: 'Demo', lastName: 'User' };
const TRIGGER_EXAMPLES = ['sync-job-status-to-sheet', 'email-client-when-job-completed'];
const FORM_EXAMPLE = 'book-job-from-form';
const DEMO_JOBS = ['Open house, 12 Main St', 'Gallery opening night', 'Overnight watch, Dock 4'];

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

async function createDemoJobs(sandbox: Sandbox): Promise<number[]> {
	const login = await fetch(`${sandbox.baseUrl}/access/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(sandbox.partner),
	});
	const { accessToken } = (await login.json()) as { accessToken: string };
	const ids: number[] = [];
	for (const [i, name] of DEMO_JOBS.entries()) {
		const res = await fetch(`${sandbox.baseUrl}/jobs`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
			body: JSON.stringify({
				name,
				whenDate: new Date(Date.now() + (24 + i) * 3600_000).toISOString(),
				duration: 120 + 60 * i,
				location: { address: { address1: `${12 + i} Main St`, city: 'New York', state: 'NY', zip: '10001' } },
				client: { clientId: `demo-client-${i + 1}`, clientInfo: `client${i + 1}@example.com` },
			}),
		});
		if (!res.ok) throw new Error(`creating a demo job failed: ${res.status} ${await res.text()}`);
		ids.push(((await res.json()) as { jobId: number }).jobId);
	}
	return ids;
}

/** What a first-time user needs, in the order they need it. */
function instructions(env: StartedN8n, sandbox: Sandbox, examples: Record<string, Workflow>, jobIds: number[]): string {
	const base = env.n8n.baseUrl;
	const name = (key: string) => `"${examples[key].name}"`;
	return [
		'',
		'G2 Sentry demo is running.',
		`  1. Open n8n:          ${base}  and log in with  ${OWNER.email} / ${OWNER.password}`,
		`  2. Watch the jobs:    ${base}/home/executions — jobs ${jobIds.map((id) => `#${id}`).join(', ')} move`,
		'                        New → Assigned → InProgress → Completed within about a minute: each step is a',
		`                        run of ${name('sync-job-status-to-sheet')},`,
		`                        each completed job a run of ${name('email-client-when-job-completed')}.`,
		`  3. Book a job:        ${env.formUrls[examples[FORM_EXAMPLE].id]}  (the published form; a state "ny" or a`,
		'                        start less than 2 hours ahead shows the reason G2 Sentry refuses it), or open',
		`                        ${name('create-jobs-from-rows')}`,
		'                        in n8n and click "Execute workflow". Booked jobs move through their lifecycle too.',
		'',
		`  credential: "${env.credential.name}" → ${sandbox.baseUrl} (partner ${sandbox.partner.partnerKey})`,
		`  sandbox:    ${sandbox.controlUrl}/jobs lists every job; POST {"to":"Canceled"} (or another status) to`,
		`              ${sandbox.controlUrl}/jobs/<id>/transition moves one by hand`,
		`  n8n log:    ${env.n8n.logFile}`,
		"Press Ctrl-C to stop everything (the demo's n8n data is deleted).",
		'',
	].join('\n');
}

async function main(): Promise<void> {
	const timeScale = Number(process.env.G2S_DEMO_TIME_SCALE ?? 8);
	let sandbox: Sandbox | undefined;
	let env: StartedN8n | undefined;
	let relay: Relay | undefined;
	let stopping = 0;

	const stop = async (code: number) => {
		if (stopping) return;
		stopping = Date.now();
		say('stopping n8n, its task runner and the sandbox…');
		// every instance, also one still starting (Ctrl-C before it was ready leaves no folder behind)
		await disposeAllN8n().catch(() => {});
		await relay?.close().catch(() => {});
		await sandbox?.close().catch(() => {});
		say('stopped.');
		process.exit(code);
	};
	// One Ctrl-C can arrive twice (from the terminal and relayed by tsx): only a second press
	// some time later means "leave now" (the harness still kills n8n's process group on exit).
	process.on('SIGINT', () => (stopping && Date.now() - stopping > 1500 ? process.exit(130) : void stop(0)));
	process.on('SIGTERM', () => void stop(0));

	try {
		say('starting; the first run on a machine also installs n8n (a few minutes, progress below)');
		sandbox = await startSandbox({
			port: await choosePort(Number(process.env.G2S_SANDBOX_PORT ?? 4010), 'the sandbox'),
			autoDispatch: true,
			timeScale,
			// now and then a Guardian withdraws and another accepts: the executions show that too
			chaos: { withdrawRate: 0.2 },
		});
		const examples = loadExampleWorkflows();
		const triggers = TRIGGER_EXAMPLES.map((name) => examples[name]);
		env = await startN8nWithPackage({
			sandbox,
			owner: OWNER,
			port: (await choosePort(Number(process.env.G2S_DEMO_PORT ?? 5678), 'n8n')) || undefined,
			workflows: Object.values(examples),
			publish: [...triggers.map((wf) => wf.id), examples[FORM_EXAMPLE].id],
			log: say,
		});
		relay = await startRelay(triggers.map((wf) => env!.triggerUrls[wf.id]));
		sandbox.configure({ callbackUrl: relay.url });
		const jobIds = await createDemoJobs(sandbox);
		process.stdout.write(instructions(env, sandbox, examples, jobIds));
	} catch (error) {
		// Ctrl-C while starting fails the start on purpose; stop() is already tidying up
		if (stopping) return;
		process.stderr.write(`[demo] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
		await stop(1);
	}
}

void main();

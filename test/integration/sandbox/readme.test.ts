/**
 * The curl walk-through of docs/development.md, run as written (only the port differs) against a
 * sandbox started with automatic dispatch off, as the text tells the reader to do. It needs curl and
 * Node only (no jq), and fails, rather than skips, on a machine without curl: a skipped check of
 * the README would read as a passing one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { startSandbox, type Sandbox } from '../../../lab/sandbox';
import { PartnerSession } from '../../../lab/helpers/sandboxClient';

function walkthrough(): string {
	const doc = readFileSync(join(__dirname, '../../../docs/development.md'), 'utf8');
	const section = doc.split('<!-- section: sandbox -->')[1].split('<!-- section:')[0];
	const part = section.split("### The vendor's examples against the sandbox")[1];
	const block = /```bash\n([\s\S]*?)```/.exec(part);
	if (!block) throw new Error('no bash block in the docs/development.md walk-through');
	return block[1];
}

const haveCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0;

/** Runs a script with bash -euo pipefail, asynchronously: the sandbox it calls lives in this process. */
function runBash(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
	// the Node running the tests is the `node` the README's field helper finds
	const PATH = [dirname(process.execPath), process.env.PATH].join(delimiter);
	// --norc: bash reads /etc/bash.bashrc when its input is a socket (as if started by sshd), and
	// Debian's one fails under -u; the README's commands need no start-up file
	const child = spawn('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], {
		env: { ...process.env, PATH },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
	child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
	return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })));
}

describe('docs/development.md sandbox walk-through (curl)', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ autoDispatch: false });
	});
	afterAll(() => sandbox.close());

	it('uses nothing beyond curl and Node', () => {
		expect(walkthrough()).not.toMatch(/\bjq\b/);
	});

	it('answers every step as the walk-through comments say', async () => {
		if (!haveCurl) throw new Error('curl is not installed, and the README walk-through is curl commands: install curl to run this check');
		const script = walkthrough().replaceAll('http://127.0.0.1:4010', sandbox.origin);
		expect(script).toContain(sandbox.baseUrl);
		const run = await runBash(script);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		const lines = run.stdout.trim().split('\n');
		const [login, tokens, job, status, full, update, profile, review, cancel] = lines;
		expect(lines).toHaveLength(9);
		expect(JSON.parse(login)).toEqual({ partnerKey: 'TEST_PARTNER', name: 'Test Partner Company', accessToken: expect.stringMatching(/^sbx-at-/), refreshToken: expect.stringMatching(/^sbx-rt-/) });
		expect(JSON.parse(tokens).accessToken).toEqual(expect.any(String));
		const jobId = JSON.parse(job).jobId;
		expect(JSON.parse(job)).toEqual({ jobId: expect.any(Number) });
		expect(status).toBe(`{"jobId":${jobId},"status":"New"} → HTTP 200`);
		expect(full).toMatch(new RegExp(`^\\{"jobId":${jobId},"status":"New","job":\\{"name":"Open House 23 Main St".*→ HTTP 200$`));
		expect(update).toMatch(/^\{"code":"SUCCESS","message":".*"\} → HTTP 200$/);
		expect(profile).toMatch(/^\{"guardianId":501,"firstName":"Avery","lastName":"Stone","bio":".*","avatarUrl":".*"\} → HTTP 200$/);
		expect(review).toMatch(/^\{"code":"SUCCESS".* → HTTP 200$/);
		expect(cancel).toMatch(/^\{"code":"INVALID_JOB_STATE".* → HTTP 422$/);
		const record = await (await fetch(`${sandbox.controlUrl}/jobs/${jobId}`)).json();
		expect(record).toMatchObject({ status: 'Completed', review: { rate: 4 }, job: { name: 'Another Open House', whenDate: '2030-09-05T15:00:00Z' } });
	});
});

/** The control API examples of lab/sandbox/README.md, each call made to fail loudly on an HTTP error. */
describe('lab/sandbox/README.md control API examples (curl)', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ autoDispatch: false });
	});
	afterAll(() => sandbox.close());

	it('every example answers 2xx JSON, in order, on a sandbox with one job', async () => {
		if (!haveCurl) throw new Error('curl is not installed: install curl to run this check');
		const readme = readFileSync(join(__dirname, '../../../lab/sandbox/README.md'), 'utf8');
		const block = /## Control API[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)![1];
		const session = await PartnerSession.login(sandbox);
		expect(await session.createJob()).toBe(1001);
		// -f turns an HTTP error into a failed command; each answer on its own line
		const script = `curl() { command curl -f "$@"; echo; }\n${block.replaceAll('http://127.0.0.1:4010', sandbox.origin)}`;
		const run = await runBash(script);
		expect(run.stderr).toBe('');
		expect(run.status).toBe(0);
		const answers = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
		expect(answers).toHaveLength(block.split('\n').filter((line) => line.startsWith('curl')).length);
		expect(answers.find((a) => a.history)?.status).toBe('New');
		expect(answers.at(-1)).toEqual({ code: 'SUCCESS', message: expect.any(String) });
	});
});

describe('lab/sandbox/README.md and GET /_control list the same control routes, and the sandbox serves each', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ autoDispatch: false });
	});
	afterAll(() => sandbox.close());

	it('has no route documented but missing, or served but undocumented', async () => {
		const readme = readFileSync(join(__dirname, '../../../lab/sandbox/README.md'), 'utf8');
		const documented = [...readme.matchAll(/^### (.*)$/gm)]
			.flatMap((m) => [...m[1].matchAll(/`(GET|POST|DELETE|PATCH) (\/_control[^`[]*)/g)].map((r) => `${r[1]} ${r[2]}`))
			.sort();
		const described = (await (await fetch(sandbox.controlUrl)).json()) as { routes: { method: string; path: string }[] };
		expect(described.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented);
		for (const r of described.routes) {
			const res = await fetch(`${sandbox.origin}${r.path.replace(':jobId', '999999')}`, { method: r.method });
			const body = (await res.json()) as { message?: string };
			expect([r.method, r.path, res.status === 405 || /^No route/.test(body.message ?? '')]).toEqual([r.method, r.path, false]);
		}
	});
});

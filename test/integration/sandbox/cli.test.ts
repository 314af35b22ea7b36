import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startCallbackReceiver } from '../../../lab/helpers/callbackReceiver';
import { http, hoursFromNow, waitFor } from '../../../lab/helpers/sandboxClient';

const ROOT = join(__dirname, '../../..');
const TSX_CLI = require.resolve('tsx/cli', { paths: [ROOT] });

function runCli(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
	const child = spawn(process.execPath, [TSX_CLI, 'lab/sandbox/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });
	let out = '';
	child.stdout!.on('data', (d) => (out += d.toString()));
	child.stderr!.on('data', (d) => (out += d.toString()));
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return { child, output: () => out, exited };
}

describe('npm run sandbox (lab/sandbox/cli.ts)', () => {
	it('starts from flags and env, prints what to use, runs jobs with signed callbacks, stops on Ctrl-C', async () => {
		const receiver = await startCallbackReceiver('sandbox-callback-secret');
		const cli = runCli(['--port', '0', '--time-scale', '1000', '--callback-url', receiver.url, '--partner-secret', 'sandbox-flag-secret'], {
			G2S_SANDBOX_PARTNER_KEY: 'ENV_PARTNER',
		});
		try {
			const baseUrl = await waitFor(() => /Base URL:\s+(\S+)/.exec(cli.output())?.[1], 20_000, 'the banner');
			const out = cli.output();
			expect(out).toMatch(/Partner key:\s+ENV_PARTNER/);
			// a secret the user supplied is never echoed; the obviously-fake defaults are
			expect(out).toMatch(/Partner secret:\s+\(as given\)/);
			expect(out).not.toContain('sandbox-flag-secret');
			expect(out).toMatch(/Callback secret:\s+sandbox-callback-secret/);
			expect(out).toContain('/_control');
			// the banner says where each value goes: the credential's fields, and the callback target
			expect(out).toMatch(/"G2 Sentry API" credential with Environment "Custom"/);
			expect(out).toContain(`Callbacks go to: ${receiver.url}`);
			const login = await http(`${baseUrl}/access/login`, { method: 'POST', body: { partnerKey: 'ENV_PARTNER', partnerSecret: 'sandbox-flag-secret' } });
			expect(login.status).toBe(200);
			const job = await http(`${baseUrl}/jobs`, {
				method: 'POST',
				headers: { authorization: `Bearer ${login.body.accessToken}` },
				body: { name: 'CLI job', whenDate: hoursFromNow(24), duration: 60, location: { gps: { latitude: 1, longitude: 2 } } },
			});
			expect(job.status).toBe(201);
			await waitFor(() => receiver.received.length === 3, 10_000, 'three callbacks');
			expect(receiver.received.every((c) => c.signatureValid)).toBe(true);
			expect(cli.output()).toMatch(/POST \/api\/v1\/jobs → 201/);
			cli.child.kill('SIGINT');
			expect(await cli.exited).toBe(0);
			expect(cli.output()).toContain('stopping');
		} finally {
			cli.child.kill('SIGKILL');
			await receiver.close();
		}
	}, 40_000);

	it('says which port is taken instead of crashing', async () => {
		const { createServer } = await import('node:net');
		const blocker = createServer();
		await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
		try {
			const cli = runCli(['--port', String((blocker.address() as { port: number }).port)]);
			expect(await cli.exited).toBe(1);
			expect(cli.output()).toMatch(/EADDRINUSE.*--port/);
		} finally {
			blocker.close();
		}
	}, 30_000);

	it('prints every flag and its environment variable on --help, and exits 0', async () => {
		const cli = runCli(['--help']);
		expect(await cli.exited).toBe(0);
		for (const flag of ['--port', '--callback-url', '--chaos', '--no-auto-dispatch', '--quiet', 'G2S_SANDBOX_TIME_SCALE']) expect(cli.output()).toContain(flag);
	}, 30_000);

	it('exits with status 2 and the usage on a bad option', async () => {
		const cli = runCli(['--time-scale', 'fast']);
		expect(await cli.exited).toBe(2);
		expect(cli.output()).toMatch(/time-scale/);
		expect(cli.output()).toContain('Usage: npm run sandbox');
	}, 30_000);
});

/**
 * `npm run dev`: n8n's own node development loop (`n8n-node dev --external-n8n`: TypeScript in
 * watch mode, the package linked into n8n's custom-nodes folder, n8n reloading the nodes when dist/
 * changes) against this project's n8n runtime (lab/n8n-runtime.js), with a local sandbox and
 * a ready "G2 Sentry sandbox" credential. `n8n-node dev` would otherwise start `npx n8n@latest`,
 * which needs a newer registry than the one these machines reach and no sandbox.
 *
 * Order matters: n8n decides which custom packages to watch when it starts, so the link and a
 * first build exist before n8n does. Press q (or Ctrl-C) in n8n-node's screen to stop everything.
 * Environment: G2S_DEV_PORT (n8n, default 5678; a free one if taken), G2S_SANDBOX_PORT (default 4010).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { startSandbox } from './sandbox';
import { credentialRecord, DEFAULT_CREDENTIAL, N8nInstance, PACKAGE_ROOT } from './helpers/harness';

const OWNER = { email: 'demo@example.com', password: 'Demo-g2sentry-1', firstName: 'Dev', lastName: 'User' };
const say = (message: string) => process.stdout.write(`[dev] ${message}\n`);
const bin = (name: string) => path.join(PACKAGE_ROOT, 'node_modules', '.bin', name);

async function freeOr(preferred: number): Promise<number> {
	const free = await new Promise<boolean>((resolve) => {
		const probe = net.createServer();
		probe.once('error', () => resolve(false));
		probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(true)));
	});
	return free ? preferred : 0;
}

function buildOnce(): void {
	for (const [command, args] of [[bin('tsc'), ['-p', 'tsconfig.json']], [bin('gulp'), ['build']]] as const) {
		const result = spawnSync(command, [...args], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
		if (result.status !== 0) throw new Error(`${path.basename(command)} failed; fix the build, then run npm run dev again`);
	}
}

async function main(): Promise<void> {
	if (!process.stdin.isTTY) throw new Error('npm run dev is interactive (n8n-node dev reads keys): run it in a terminal');
	const sandbox = await startSandbox({ port: await freeOr(Number(process.env.G2S_SANDBOX_PORT ?? 4010)) });
	const n8nPort = await freeOr(Number(process.env.G2S_DEV_PORT ?? 5678));
	const n8n = new N8nInstance({ owner: OWNER, port: n8nPort || undefined, env: { N8N_DEV_RELOAD: 'true' }, log: say });
	const stop = async () => {
		await n8n.dispose();
		await sandbox.close();
	};
	try {
		await n8n.prepare();
		say('building once, so n8n finds the nodes when it starts');
		buildOnce();
		// the link n8n-node dev makes (it replaces it with the same one)
		const link = path.join(n8n.userFolder, '.n8n', 'custom', 'node_modules', 'n8n-nodes-g2sentry');
		fs.mkdirSync(path.dirname(link), { recursive: true });
		fs.symlinkSync(PACKAGE_ROOT, link, 'dir');
		await n8n.importCredentials([credentialRecord(DEFAULT_CREDENTIAL, sandbox)]);
		say(`starting n8n (log: ${n8n.logFile})`);
		await n8n.start();
	} catch (error) {
		await stop();
		throw error;
	}
	const banner = [
		`n8n:      ${n8n.baseUrl}  (log in as ${OWNER.email} / ${OWNER.password})`,
		`sandbox:  ${sandbox.baseUrl}  (credential "${DEFAULT_CREDENTIAL.name}" points at it)`,
		`n8n log:  ${n8n.logFile}`,
	];
	banner.forEach(say);
	const dev = spawn(bin('n8n-node'), ['dev', '--external-n8n', '--custom-user-folder', n8n.userFolder], {
		cwd: PACKAGE_ROOT,
		stdio: 'inherit',
	});
	// n8n-node reads Ctrl-C as a key in raw mode; a signal that reaches this process waits for it
	process.on('SIGINT', () => {});
	const code = await new Promise<number>((resolve) => dev.on('exit', (status) => resolve(status ?? 1)));
	say('stopping n8n and the sandbox');
	await stop();
	banner.forEach(say);
	process.exitCode = code;
}

main().catch((error: unknown) => {
	process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});

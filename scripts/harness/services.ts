// Throwaway Postgres and Redis for the queue-mode harness: Debian's binaries, a temp folder each,
// loopback and a free port, stopped by PID. initdb and postgres refuse to run as root, so as root
// they run as the `postgres` user (runuser) in a folder handed to that user.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, sleep, trackGroup, untrackGroup } from './processes';

/** Debian's Postgres binaries (the newest installed major), or G2S_POSTGRES_BIN. */
export function postgresBin(): string {
	if (process.env.G2S_POSTGRES_BIN) return process.env.G2S_POSTGRES_BIN;
	const root = '/usr/lib/postgresql';
	const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
	const newest = majors.sort((x, y) => Number(y) - Number(x))[0];
	if (!newest) throw new Error(`no Postgres found under ${root}: apt-get install postgresql (or set G2S_POSTGRES_BIN)`);
	return path.join(root, newest, 'bin');
}

export interface Service {
	port: number;
	stop(): Promise<void>;
}

const asRoot = () => process.getuid?.() === 0;
/** Runs as the postgres user when we are root. */
const asPostgres = (bin: string, args: string[]): [string, string[]] =>
	asRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];

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
		const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
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

/** A Redis without persistence. */
export async function startRedis(folder: string): Promise<Service> {
	const port = await freePort();
	const dir = fs.mkdtempSync(path.join(folder, 'redis-'));
	const child = spawnLogged(
		'redis-server',
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

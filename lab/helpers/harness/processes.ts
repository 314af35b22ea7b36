// Process plumbing for the harness: free ports, and n8n's process group (n8n plus the task
// runner it spawns), signalled as a whole so nothing outlives a stop.
import fs from 'node:fs';
import net from 'node:net';

/**
 * A port nothing listens on, picked outside the kernel's ephemeral range: a port from that range
 * (what listen(0) hands out) can be taken as the local end of any outgoing connection (n8n to
 * Postgres or Redis, the tests to anything) between this check and the moment n8n binds it, and
 * n8n then exits "port … is already in use". Below the range only listeners compete, and the pick
 * is random so that parallel Jest workers rarely try the same one.
 */
export async function freePort(range: { from: number; to: number } = belowEphemeral()): Promise<number> {
	const size = range.to - range.from;
	for (let attempt = 0; size > 0 && attempt < Math.min(50, 4 * size); attempt++) {
		const port = range.from + Math.floor(Math.random() * size);
		if (await canListen(port)) return port;
	}
	// no room below the range (an unusual kernel setting), or all tried were taken
	return await listenOnce(0);
}

/** From 20000 up to where the kernel's ephemeral range starts (empty if that leaves no room). */
function belowEphemeral(): { from: number; to: number } {
	const [low] = ephemeralRange();
	return { from: 20_000, to: Math.max(20_000, low) };
}

function ephemeralRange(): [number, number] {
	try {
		const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
		if (Number.isInteger(low) && Number.isInteger(high)) return [low, high];
	} catch {
		// not Linux: the usual default
	}
	return [32_768, 60_999];
}

async function canListen(port: number): Promise<boolean> {
	return await listenOnce(port).then(
		() => true,
		() => false,
	);
}

async function listenOnce(port: number): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(port, '127.0.0.1', () => {
			const { port: bound } = server.address() as net.AddressInfo;
			server.close(() => resolve(bound));
		});
	});
}

// A safety net: if the calling process exits without stop() (an error, process.exit in the
// demo), n8n and its task runner must not outlive it.
const liveGroups = new Set<number>();
let exitHookInstalled = false;
export function trackGroup(pid: number): void {
	if (!exitHookInstalled) process.once('exit', () => liveGroups.forEach((g) => signalGroup(g, 'SIGKILL')));
	exitHookInstalled = true;
	liveGroups.add(pid);
}

export function untrackGroup(pid: number): void {
	liveGroups.delete(pid);
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// group already gone
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

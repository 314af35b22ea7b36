// Process plumbing for the harness: free ports, and n8n's process group (n8n plus the task
// runner it spawns), signalled as a whole so nothing outlives a stop.
import net from 'node:net';

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
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

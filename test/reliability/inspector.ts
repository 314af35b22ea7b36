/**
 * What a burst left behind in n8n's memory, read through the V8 inspector of the n8n process
 * (started with `--inspect=127.0.0.1:0`, loopback only): a full garbage collection, then the heap
 * still in use. Resident memory (RSS) alone cannot say it: V8 and malloc keep memory they have
 * grown into long after the objects in it are gone.
 */
import fs from 'node:fs';

/** n8n's environment for a process whose heap R7 reads (every n8n command gets its own free port). */
export const INSPECT_ENV = { NODE_OPTIONS: '--inspect=127.0.0.1:0' };

export interface Inspector {
	/** Full GC, then the V8 heap in use (MB). */
	heapAfterGcMb(): Promise<number>;
	close(): void;
}

interface Pending {
	resolve: (value: Record<string, unknown>) => void;
	reject: (error: Error) => void;
}

async function connect(url: string): Promise<{ call: (method: string, params?: object) => Promise<Record<string, unknown>>; close: () => void }> {
	const socket = new WebSocket(url);
	const pending = new Map<number, Pending>();
	let next = 1;
	socket.addEventListener('message', (event) => {
		const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
		const waiting = message.id === undefined ? undefined : pending.get(message.id);
		if (!waiting) return;
		pending.delete(message.id as number);
		if (message.error) waiting.reject(new Error(message.error.message));
		else waiting.resolve(message.result ?? {});
	});
	await new Promise<void>((resolve, reject) => {
		socket.addEventListener('open', () => resolve(), { once: true });
		socket.addEventListener('error', () => reject(new Error(`inspector at ${url} refused the connection`)), { once: true });
	});
	return {
		call: (method, params = {}) =>
			new Promise((resolve, reject) => {
				const id = next++;
				pending.set(id, { resolve, reject });
				socket.send(JSON.stringify({ id, method, params }));
			}),
		close: () => socket.close(),
	};
}

/**
 * The inspector of process `pid`: n8n's log names every inspector opened by the commands it ran
 * (and by the task runner it starts); the one whose process reports `pid` is n8n's.
 */
export async function inspectorOf(pid: number, logFile: string): Promise<Inspector> {
	const urls = [...fs.readFileSync(logFile, 'utf8').matchAll(/Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/g)].map((m) => m[1]).reverse();
	for (const url of urls) {
		const client = await connect(url).catch(() => undefined);
		if (!client) continue;
		const answer = await client.call('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
		if ((answer.result as { value?: unknown } | undefined)?.value === pid) {
			return {
				async heapAfterGcMb() {
					await client.call('HeapProfiler.collectGarbage');
					const usage = await client.call('Runtime.getHeapUsage');
					return Number(usage.usedSize) / 1024 / 1024;
				},
				close: client.close,
			};
		}
		client.close();
	}
	throw new Error(`no inspector of process ${pid} found in ${logFile}`);
}

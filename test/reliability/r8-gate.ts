/**
 * R8's loopback gate between the sandbox's callbacks and n8n: at most `inFlight` requests reach
 * n8n at a time (the rest wait here, as behind a sender with a fixed number of connections), and
 * every request is logged with what n8n answered, so a lost event's timeline can show whether it
 * was acknowledged by the node, by n8n's start-up page, or not at all. The target can be swapped
 * (queue mode: the webhook process that is up).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GateRecord {
	/** when the request arrived at the gate (ms since epoch) */
	at: number;
	body: string;
	/** n8n's status and the start of its body, or what went wrong instead */
	answer: string;
	/** when the answer (or the failure) came back */
	answeredAt?: number;
}

export interface Gate {
	url: string;
	log: GateRecord[];
	/** the most requests that were at n8n at once */
	peakInFlight: number;
	close(): Promise<void>;
}

/** How long the gate waits for n8n: longer than the sandbox's own delivery timeout, so the sandbox decides. */
const FORWARD_TIMEOUT_MS = 60_000;

export async function startGate(target: () => string, inFlight: number): Promise<Gate> {
	const log: GateRecord[] = [];
	const waiting: Array<() => void> = [];
	let active = 0;
	const gate = { peakInFlight: 0 };
	const acquire = () => (active < inFlight ? Promise.resolve((active++, undefined)) : new Promise<void>((resolve) => waiting.push(() => (active++, resolve()))));
	const release = () => {
		active--;
		waiting.shift()?.();
	};
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const record: GateRecord = { at: Date.now(), body: Buffer.concat(chunks).toString('utf8'), answer: 'waiting' };
			log.push(record);
			await acquire();
			gate.peakInFlight = Math.max(gate.peakInFlight, active);
			try {
				// the sandbox gave up on this attempt while it waited here: it was never sent to n8n
				if (res.destroyed || req.socket.destroyed) {
					record.answer = 'not sent (the sandbox stopped waiting)';
					return;
				}
				const answer = await fetch(target(), {
					method: 'POST',
					headers: { 'content-type': String(req.headers['content-type'] ?? ''), 'x-signature': String(req.headers['x-signature'] ?? '') },
					body: record.body,
					signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
				});
				const text = await answer.text();
				record.answer = `${answer.status} ${text.slice(0, 80)}`;
				res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(text);
			} catch (error) {
				// n8n refused the connection or died mid-request: the sandbox sees a network failure
				record.answer = `no answer (${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`;
				res.socket?.destroy();
			} finally {
				record.answeredAt = Date.now();
				release();
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return Object.assign(gate, {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`,
		log,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	});
}

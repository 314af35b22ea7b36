/**
 * A loopback proxy in front of n8n's webhook for R2: per request it forwards, answers 503 without
 * forwarding (n8n unreachable), or forwards and then cuts the connection instead of relaying the
 * answer (the event was taken, the vendor hears nothing and retries). Decisions come in order
 * from a list drawn by fast-check.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyDecision = 'forward' | 'unavailable' | 'lose-answer';

export interface FlakyProxy {
	url: string;
	/** how many copies of each exact body reached n8n */
	forwardedBodies: Map<string, number>;
	counts: Record<ProxyDecision, number>;
	/** every request in arrival order, with what n8n answered (for the failure report) */
	log: ProxyRecord[];
	close(): Promise<void>;
}

export interface ProxyRecord {
	at: number;
	body: string;
	decision: ProxyDecision;
	/** n8n's status and body, when the request was forwarded and answered */
	answer?: string;
}

export async function startFlakyProxy(target: string, decisions: ProxyDecision[]): Promise<FlakyProxy> {
	let next = 0;
	const counts: Record<ProxyDecision, number> = { forward: 0, unavailable: 0, 'lose-answer': 0 };
	const forwardedBodies = new Map<string, number>();
	const log: ProxyRecord[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			const decision = decisions[next++ % decisions.length];
			counts[decision]++;
			const record: ProxyRecord = { at: Date.now(), body: body.toString('utf8'), decision };
			log.push(record);
			if (decision === 'unavailable') {
				res.writeHead(503).end();
				return;
			}
			forwardedBodies.set(body.toString('utf8'), (forwardedBodies.get(body.toString('utf8')) ?? 0) + 1);
			try {
				const answer = await fetch(target, {
					method: 'POST',
					headers: { 'content-type': String(req.headers['content-type'] ?? ''), 'x-signature': String(req.headers['x-signature'] ?? '') },
					body,
					signal: AbortSignal.timeout(30_000),
				});
				const text = await answer.text();
				record.answer = `${answer.status} ${text}`;
				if (decision === 'lose-answer') {
					res.socket?.destroy();
					return;
				}
				res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(text);
			} catch {
				res.socket?.destroy();
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`,
		forwardedBodies,
		counts,
		log,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

// Traffic for the queue-mode suite: signed callbacks (each event 1–3 times, shuffled) sent by
// concurrent senders, and a loopback proxy that routes by path the way a load balancer rule would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { signCallbackBody } from '../../lab/sandbox';
import { shuffled } from '../../lab/sandbox/random';

export { seededRandom as seeded } from '../../lab/sandbox/random';

export const LIFECYCLE = [
	['JobAssigned', 'Assigned'],
	['JobStarted', 'InProgress'],
	['JobCompleted', 'Completed'],
] as const;

export interface Delivery {
	jobId: number;
	eventType: string;
	body: string;
}

/** `jobs` jobs × 3 events, each delivered 1–3 times, the whole list shuffled. */
export function callbackTraffic(firstJobId: number, jobs: number, random: () => number): Delivery[] {
	const list: Delivery[] = [];
	for (let jobId = firstJobId; jobId < firstJobId + jobs; jobId++) {
		for (const [eventType, jobStatus] of LIFECYCLE) {
			const body = JSON.stringify({ jobId, eventType, jobName: `Queue job ${jobId}`, jobStatus, guardianPhone: '+15550100' });
			const copies = 1 + Math.floor(random() * 3);
			for (let i = 0; i < copies; i++) list.push({ jobId, eventType, body });
		}
	}
	return shuffled(list, random);
}

/**
 * Sends every delivery with `senders` concurrent senders; delivery i goes to urls[i % urls.length].
 * Like G2 Sentry, a sender retries a delivery answered non-2xx (or not at all), here after 1, 2,
 * 4 … s (an overloaded n8n answers 503 "Database is not ready" before the node runs).
 * Returns the final status of each delivery and how many retries were needed.
 */
export async function send(deliveries: Delivery[], urls: string[], secret: string, senders = 8): Promise<{ statuses: number[]; retries: number }> {
	const statuses: number[] = new Array(deliveries.length);
	let retries = 0;
	let next = 0;
	const post = async (url: string, body: string): Promise<number> => {
		try {
			const res = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-signature': signCallbackBody(body, secret) },
				body,
			});
			await res.arrayBuffer();
			return res.status;
		} catch {
			return 0;
		}
	};
	const sender = async () => {
		for (let i = next++; i < deliveries.length; i = next++) {
			let status = await post(urls[i % urls.length], deliveries[i].body);
			for (let attempt = 0; (status < 200 || status > 299) && attempt < 6; attempt++) {
				retries += 1;
				await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
				status = await post(urls[i % urls.length], deliveries[i].body);
			}
			statuses[i] = status;
		}
	};
	await Promise.all(Array.from({ length: senders }, sender));
	return { statuses, retries };
}

export interface PathRouter {
	url: string;
	close(): Promise<void>;
}

/**
 * A loopback reverse proxy: requests whose path starts with `pinnedPrefix` always go to the first
 * target (the "one webhook process for the callback path" rule); all others round-robin.
 */
export async function startPathRouter(targets: string[], pinnedPrefix: string): Promise<PathRouter> {
	let turn = 0;
	const server = http.createServer((req, res) => {
		const target = new URL(req.url ?? '/', (req.url ?? '').startsWith(pinnedPrefix) ? targets[0] : targets[turn++ % targets.length]);
		const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', () => res.writeHead(502).end());
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

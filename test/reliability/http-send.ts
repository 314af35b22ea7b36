/** Raw HTTP POSTs for the figures: node:http, so a header can be repeated and bytes go out as given. */
import http from 'node:http';

export interface RawReply {
	status: number;
	body: string;
	ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function postRaw(url: string, body: Buffer, headers: Record<string, string | string[] | undefined>, timeoutMs = 60_000): Promise<RawReply> {
	const started = performance.now();
	const clean: Record<string, string | string[]> = { 'content-type': 'application/json' };
	for (const [k, v] of Object.entries(headers)) if (v !== undefined) clean[k] = v;
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { ...clean, 'content-length': String(body.length) }, agent, timeout: timeoutMs });
		req.on('response', (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		req.on('error', reject);
		req.end(body);
	});
}

/** Runs `work` over `items` with at most `limit` at a time; results in input order. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
		while (next < items.length) {
			const i = next++;
			results[i] = await work(items[i], i);
		}
	});
	await Promise.all(lanes);
	return results;
}

// Demo only: G2 Sentry sends callbacks to one URL per partner, but the demo publishes two example
// trigger workflows. This hop forwards each callback's exact bytes and signature to both and
// answers with the first failure (so the sandbox retries, and the triggers' dedupe absorbs the
// repeat on the side that had already accepted it).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Relay {
	url: string;
	close(): Promise<void>;
}

export async function startRelay(targets: string[]): Promise<Relay> {
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const headers: Record<string, string> = { 'content-type': String(req.headers['content-type'] ?? 'application/json') };
			if (req.headers['x-signature'] !== undefined) headers['x-signature'] = String(req.headers['x-signature']);
			void Promise.all(
				targets.map((url) =>
					fetch(url, { method: 'POST', headers, body }).then(
						async (answer) => ({ status: answer.status, text: await answer.text() }),
						() => ({ status: 502, text: 'n8n unreachable' }),
					),
				),
			).then((answers) => {
				const failed = answers.find((a) => a.status < 200 || a.status >= 300);
				const chosen = failed ?? answers[0] ?? { status: 200, text: '' };
				res.writeHead(chosen.status, { 'content-type': 'text/plain' }).end(chosen.text);
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/g2sentry-callbacks`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

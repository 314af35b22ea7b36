/**
 * An independent callback receiver for tests: its own tiny HTTP server that keeps the raw bytes of
 * every POST and checks X-Signature with node:crypto, sharing no code with the sandbox or the nodes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
	raw: Buffer;
	body: any;
	signature: string | undefined;
	contentType: string | undefined;
	/** X-Signature matches HMAC-SHA256(raw bytes, secret) in hex */
	signatureValid: boolean;
	answeredStatus: number;
	at: number;
}

export interface CallbackReceiver {
	url: string;
	received: ReceivedCallback[];
	/** statuses to answer, one per request, before falling back to 200 (0 = destroy the socket) */
	script: number[];
	secret: string;
	close(): Promise<void>;
}

export async function startCallbackReceiver(secret: string, path = '/hooks/g2sentry'): Promise<CallbackReceiver> {
	const received: ReceivedCallback[] = [];
	const receiver = { received, script: [] as number[], secret } as CallbackReceiver;
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const signature = req.headers['x-signature'] as string | undefined;
			const expected = createHmac('sha256', receiver.secret).update(raw).digest('hex');
			const signatureValid =
				typeof signature === 'string' &&
				signature.length === expected.length &&
				timingSafeEqual(Buffer.from(signature, 'utf8'), Buffer.from(expected, 'utf8'));
			const status = receiver.script.length > 0 ? receiver.script.shift()! : 200;
			let body: unknown;
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				body = undefined;
			}
			received.push({ raw, body, signature, contentType: req.headers['content-type'], signatureValid, answeredStatus: status, at: Date.now() });
			if (req.url !== path) {
				res.writeHead(404).end();
				return;
			}
			if (status === 0) {
				req.socket.destroy();
				return;
			}
			res.writeHead(status).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	receiver.url = `http://127.0.0.1:${port}${path}`;
	receiver.close = () =>
		new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	return receiver;
}

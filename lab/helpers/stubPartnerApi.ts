/**
 * A deliberately misbehaving Partner API for the action node's tests: it logs in like G2 Sentry
 * but answers every other request with whatever the test scripts (a web page, an empty body, a
 * list, an error that echoes the request's headers back). The sandbox keeps to the contract;
 * this covers what a proxy, a wrong URL or a broken release could send instead.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
}

export interface StubAnswer {
	status?: number;
	contentType?: string;
	body?: string;
}

export type StubHandler = (request: StubRequest) => StubAnswer;

export interface StubPartnerApi {
	baseUrl: string;
	/** every token the stub's login and refresh handed out, newest last (obviously fake) */
	issuedTokens: string[];
	/** every request received, logins included */
	requests: StubRequest[];
	/** how the next non-auth requests are answered (default: 200 `{}`) */
	answer(handler: StubHandler): void;
	close(): Promise<void>;
}

export async function startStubPartnerApi(): Promise<StubPartnerApi> {
	let handler: StubHandler = () => ({ body: '{}' });
	const requests: StubRequest[] = [];
	const issuedTokens: string[] = [];
	const issue = () => {
		const n = issuedTokens.length / 2 + 1;
		const tokens = { accessToken: `stub-access-token-${n}-not-real`, refreshToken: `stub-refresh-token-${n}-not-real` };
		issuedTokens.push(tokens.accessToken, tokens.refreshToken);
		return tokens;
	};

	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
			requests.push(request);
			const auth = /\/access\/(login|refresh)$/.test(request.path);
			const answer = auth ? { body: JSON.stringify({ partnerKey: 'stub', name: 'Stub', ...issue() }) } : handler(request);
			res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' });
			res.end(answer.body ?? '');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		baseUrl: `http://127.0.0.1:${port}/api/v1`,
		issuedTokens,
		requests,
		answer: (next) => {
			handler = next;
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** Jest fixture: a fresh stub for each test, closed after it (read `stub.current` inside tests). */
export function useStubPartnerApi(): { current: StubPartnerApi } {
	const stub = {} as { current: StubPartnerApi };
	beforeEach(async () => {
		stub.current = await startStubPartnerApi();
	});
	afterEach(async () => await stub.current.close());
	return stub;
}

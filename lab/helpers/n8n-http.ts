/**
 * What n8n's webhook pipeline makes of Node's request/response pair before a node sees it:
 * n8n's body reader adds `rawBody`/`readRawBody()` (plus params/query), and the response is
 * Express's. These are the real IncomingMessage/ServerResponse objects with those additions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type N8nRequest = IncomingMessage & {
	rawBody?: Buffer;
	body?: unknown;
	params: Record<string, string>;
	query: Record<string, string>;
	readRawBody(): Promise<void>;
};

export type ExpressResponse = ServerResponse & {
	status(code: number): ExpressResponse;
	json(body: unknown): ExpressResponse;
	send(body?: string | Buffer): ExpressResponse;
};

/** Adds what n8n's body reader adds to a request. */
export function asN8nRequest(req: IncomingMessage): N8nRequest {
	const request = req as N8nRequest;
	let read = false;
	request.params = {};
	request.query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
	request.readRawBody = async () => {
		if (read) return;
		read = true;
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		request.rawBody = Buffer.concat(chunks);
	};
	return request;
}

/**
 * The part of Express's response API nodes use (Express 5: status() wants an integer). With
 * `loseAnswer`, whatever the node answers is replaced by a cut connection.
 */
export function asExpressResponse(res: ServerResponse, loseAnswer = false): ExpressResponse {
	const response = res as ExpressResponse;
	if (loseAnswer) {
		const cut = () => {
			res.socket?.destroy();
			return response;
		};
		response.status = () => response;
		response.json = cut;
		response.send = cut;
		return response;
	}
	response.status = (code: number) => {
		if (!Number.isInteger(code)) throw new TypeError(`Invalid status code: ${String(code)}`);
		res.statusCode = code;
		return response;
	};
	response.json = (body: unknown) => {
		res.setHeader('content-type', 'application/json; charset=utf-8');
		res.end(JSON.stringify(body));
		return response;
	};
	response.send = (body?: string | Buffer) => {
		res.end(body);
		return response;
	};
	return response;
}

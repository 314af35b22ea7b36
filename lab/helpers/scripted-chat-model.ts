/**
 * A stand-in for an OpenAI-compatible chat model, served on loopback for the AI Agent e2e test:
 * no real model, no network. It answers `POST /v1/chat/completions` from a script, one step per
 * request: a step looks at the request (the tools the agent offers, the messages so far, tool
 * results included) and replies with tool calls or a final message. Every request is recorded,
 * so a test can check what the agent sent back after each tool ran.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: { properties?: Record<string, unknown> } };
}
export interface ChatMessage {
	role: string;
	content?: unknown;
	tool_call_id?: string;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
}
export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTool[];
	stream?: boolean;
}
export type ScriptedReply = { toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> } | { content: string };
export type ScriptStep = (request: ChatRequest) => ScriptedReply;

export interface ScriptedChatModel {
	/** Base URL to give n8n's OpenAI credential (`…/v1`). */
	baseUrl: string;
	requests: ChatRequest[];
	close(): Promise<void>;
}

/** The name of the offered tool matching `pattern`; throws (answered as a 500) when none does. */
export function toolNamed(request: ChatRequest, pattern: RegExp): string {
	const names = (request.tools ?? []).map((tool) => tool.function.name);
	const name = names.find((candidate) => pattern.test(candidate));
	if (!name) throw new Error(`no tool matching ${pattern} among [${names.join(', ')}]`);
	return name;
}

/** The text of the tool results sent back so far, in order. */
export function toolResults(request: ChatRequest): string[] {
	return request.messages
		.filter((message) => message.role === 'tool')
		.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content)));
}

function completion(model: string, reply: ScriptedReply, index: number) {
	const toolCalls =
		'toolCalls' in reply
			? reply.toolCalls.map((call, i) => ({
					id: `call_${index}_${i}`,
					type: 'function' as const,
					function: { name: call.name, arguments: JSON.stringify(call.arguments) },
				}))
			: undefined;
	const message = toolCalls ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: (reply as { content: string }).content };
	return {
		id: `chatcmpl-scripted-${index}`,
		created: Math.floor(Date.now() / 1000),
		model,
		message,
		finishReason: toolCalls ? 'tool_calls' : 'stop',
		usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
	};
}

function send(res: ServerResponse, request: ChatRequest, reply: ScriptedReply, index: number) {
	const c = completion(request.model, reply, index);
	if (!request.stream) {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify({
				id: c.id,
				object: 'chat.completion',
				created: c.created,
				model: c.model,
				choices: [{ index: 0, message: c.message, finish_reason: c.finishReason, logprobs: null }],
				usage: c.usage,
			}),
		);
		return;
	}
	// the same answer as server-sent events, for a client that asked for a stream
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const chunk = (delta: object, finish: string | null) =>
		`data: ${JSON.stringify({ id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
	const delta =
		'tool_calls' in c.message
			? { role: 'assistant', tool_calls: c.message.tool_calls?.map((call, i) => ({ index: i, ...call })) }
			: { role: 'assistant', content: c.message.content };
	res.write(chunk(delta, null));
	res.write(chunk({}, c.finishReason));
	res.end('data: [DONE]\n\n');
}

async function readJson(req: IncomingMessage): Promise<ChatRequest> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
}

/** Starts the scripted model on 127.0.0.1 (a free port). A request past the script's end gets a 500. */
export async function startScriptedChatModel(script: ScriptStep[]): Promise<ScriptedChatModel> {
	const requests: ChatRequest[] = [];
	const server = createServer((req, res) => {
		if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `scripted model: no route ${req.method} ${req.url}` } }));
			return;
		}
		readJson(req)
			.then((request) => {
				const index = requests.push(request) - 1;
				const step = script[index];
				if (!step) throw new Error(`scripted model: request ${index + 1} is past the end of the script`);
				send(res, request, step(request), index);
			})
			.catch((error: unknown) => {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }));
			});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

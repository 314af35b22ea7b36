/**
 * Reading an answer's body ourselves, at most ANSWER_MAX_BYTES of it.
 *
 * n8n's request helper reads a whole body whatever its size (it gives its HTTP client no limit
 * and takes none from us), so a server that sends 64 MiB would have n8n hold 64 MiB. Asked for
 * the body as a stream (`encoding: 'stream'`, see BODY_AS_STREAM), it hands over the response as
 * it arrives instead: it is read here chunk by chunk, and past the cap the stream is destroyed
 * and only what was read is kept. The JSON is parsed here too, as n8n would have.
 *
 * A body that is not a stream (a version of n8n that ignored the option) is taken as it is: the
 * size check in ./answers.ts still refuses one that is too large.
 */
import { causeChain } from './causeChain';
import { ANSWER_MAX_BYTES } from './limits';

/** The request option that makes n8n hand over the body as a stream. */
export const BODY_AS_STREAM = { encoding: 'stream' } as const;

/** The part of a Node.js readable stream used here (nodes/ may not import node:stream). */
interface BodyStream {
	on(event: string, listener: (...args: unknown[]) => void): unknown;
	removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
	destroy(error?: Error): unknown;
	pipe(...args: unknown[]): unknown;
}

export const isBodyStream = (value: unknown): value is BodyStream =>
	value !== null &&
	typeof value === 'object' &&
	typeof (value as BodyStream).on === 'function' &&
	typeof (value as BodyStream).destroy === 'function' &&
	typeof (value as BodyStream).pipe === 'function';

/** A body as read: the parsed JSON (or the text, when it is not JSON), and whether it was cut. */
export interface ReadBody {
	body: unknown;
	/** more came than ANSWER_MAX_BYTES: only the start was read, the rest never left the server's side */
	cut: boolean;
}

/** A connection that ended before its body did (the same code Node.js gives a reset). */
export class BodyCutShortError extends Error {
	readonly code = 'ECONNRESET';

	constructor() {
		super('The connection closed before the whole answer had arrived');
		this.name = 'BodyCutShortError';
	}
}

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();
const ignore = () => {};

/**
 * Reads `stream` to its end or to `maxBytes`, whichever comes first; lets go of it (`release`,
 * by default destroying it) when cut, failed or when `signal` aborts (the promise then rejects
 * with the signal's reason). An error listener stays on the stream afterwards: the HTTP client
 * may still emit one on a stream it gave away.
 */
export async function readCapped(
	stream: BodyStream,
	signal?: AbortSignal,
	release: () => void = () => stream.destroy(),
	maxBytes = ANSWER_MAX_BYTES,
): Promise<{ text: string; cut: boolean }> {
	stream.on('error', ignore);
	return await new Promise((resolve, reject) => {
		const chunks: Uint8Array[] = [];
		let bytes = 0;
		const text = () => {
			const all = new Uint8Array(bytes);
			let at = 0;
			for (const chunk of chunks) {
				all.set(chunk, at);
				at += chunk.length;
			}
			return decoder.decode(all);
		};
		const listeners: Record<string, (...args: unknown[]) => void> = {
			data: (chunk) => {
				const part = typeof chunk === 'string' ? encoder.encode(chunk) : (chunk as Uint8Array);
				if (bytes + part.length > maxBytes) {
					chunks.push(part.subarray(0, maxBytes - bytes));
					bytes = maxBytes;
					settle(() => resolve({ text: text(), cut: true }), true);
					return;
				}
				chunks.push(part);
				bytes += part.length;
			},
			end: () => settle(() => resolve({ text: text(), cut: false })),
			// 'close' before 'end': the connection went away in the middle of the body
			close: () => settle(() => reject(new BodyCutShortError()), true),
			error: (error) => settle(() => reject(error), true),
		};
		const onAbort = () => settle(() => reject(signal?.reason), true);
		const settle = (finish: () => void, letGo = false) => {
			for (const [event, listener] of Object.entries(listeners)) stream.removeListener(event, listener);
			signal?.removeEventListener('abort', onAbort);
			if (letGo) release();
			finish();
		};
		if (signal?.aborted) {
			onAbort();
			return;
		}
		signal?.addEventListener('abort', onAbort, { once: true });
		for (const [event, listener] of Object.entries(listeners)) stream.on(event, listener);
	});
}

/** The text as n8n would have given it with `json: true`: parsed when it is JSON, else as it is. */
export function parseBody(text: string): unknown {
	if (text.trim() === '') return text;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

/**
 * `body` read (when it is a stream) and parsed; anything else as it came. `release` runs before
 * the stream is destroyed when it is not read to its end.
 */
export async function readBody(body: unknown, signal?: AbortSignal, release?: () => void): Promise<ReadBody> {
	if (!isBodyStream(body)) return { body, cut: false };
	const { text, cut } = await readCapped(body, signal, () => {
		release?.();
		body.destroy();
	});
	// a cut JSON text cannot be parsed: it stays text, and the answer check says it was cut
	return { body: cut ? text : parseBody(text), cut };
}

/**
 * The body streams an error carries, each with the places that hold it: the HTTP client's
 * response, and (n8n before 2.34, which loses the link to that error) the NodeApiError's
 * `context.data`. One stream may sit in several places.
 */
function bodyStreams(error: unknown): Map<BodyStream, Array<{ holder: Record<string, unknown>; key: string }>> {
	const found = new Map<BodyStream, Array<{ holder: Record<string, unknown>; key: string }>>();
	for (const link of causeChain(error)) {
		for (const holder of [link.response, link.context]) {
			if (holder === null || typeof holder !== 'object') continue;
			for (const key of ['data', 'body']) {
				const value = (holder as Record<string, unknown>)[key];
				if (!isBodyStream(value)) continue;
				found.set(value, [...(found.get(value) ?? []), { holder: holder as Record<string, unknown>, key }]);
			}
		}
	}
	return found;
}

/**
 * Replaces every body stream an error carries by the body read from it (at most the cap; a body
 * that cannot be read becomes undefined), so that ./outcome.ts reads the error as before.
 */
export async function readErrorBodies(error: unknown, signal?: AbortSignal): Promise<void> {
	for (const [stream, places] of bodyStreams(error)) {
		let body: unknown;
		try {
			body = (await readBody(stream, signal)).body;
		} catch {
			body = undefined;
		}
		for (const { holder, key } of places) holder[key] = body;
	}
}

/** Destroys every body stream an error carries, unread (a login's refusal needs only its status). */
export function releaseErrorBodies(error: unknown): void {
	for (const [stream, places] of bodyStreams(error)) {
		stream.on('error', ignore);
		stream.destroy();
		for (const { holder, key } of places) holder[key] = undefined;
	}
}

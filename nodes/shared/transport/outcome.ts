/**
 * What came back from one request, read the same way on every n8n version the package supports.
 *
 * The transport asks n8n for the full response and for no exception on HTTP error statuses
 * (`returnFullResponse` + `ignoreHttpStatusErrors`), so an answer — status, headers with
 * Retry-After, body — arrives as a value on every version. What still throws: network failures,
 * a failed login/refresh (the credential's preAuthentication), and the one re-send after a 401
 * that goes through n8n's throwing path so that n8n refreshes the token.
 *
 * A thrown error is a NodeApiError made by n8n. From n8n-workflow 2.34 on it links (`cause`) to
 * the HTTP client's error, with the response; before 2.34 that link is lost (a class field resets
 * it), and what survives is `httpCode` ('422', or a network code such as 'ECONNREFUSED'),
 * `context.data` (the body) and the original message in `messages`. Both are read here. The body
 * comes as a stream (./answerBody.ts): the transport has read it into these places before.
 */
import type { JsonObject } from 'n8n-workflow';

import type { SuccessAnswer } from './answers';
import { findAuthFailure } from './authFailure';
import { causeChain } from './causeChain';
import { ANSWER_LIMITS, clip, type FailureDescription } from './errors';
import { parseRetryAfter, type Failure } from './retryPolicy';

/** What n8n returns with `returnFullResponse: true`. */
export interface FullResponse {
	statusCode: number;
	headers?: Record<string, unknown>;
	body?: unknown;
}

/** `cut`: the body went on past ANSWER_MAX_BYTES and only its start was read (./answerBody.ts). */
export type Outcome = { ok: true; status: number; body: unknown; contentType?: string; cut?: boolean } | Failed;

export interface Failed {
	ok: false;
	failure: Failure;
	body: unknown;
	/** what n8n keeps as the error's raw response (no request headers: they hold the token) */
	raw: JsonObject;
	/** set when the credential's login/refresh failed; its message is already user-facing */
	authMessage?: FailureDescription;
	/** the login failure cannot be cured by trying again */
	authFinal?: boolean;
	/** an error answer whose body went on past ANSWER_MAX_BYTES, as it came (its start only) */
	cutAnswer?: SuccessAnswer;
}

export const isFullResponse = (value: unknown): value is FullResponse =>
	value !== null && typeof value === 'object' && typeof (value as FullResponse).statusCode === 'number';

/**
 * An answer that came back as a value, its body already read: 2xx is success, anything else a
 * failure to decide on.
 */
export function readAnswer(response: FullResponse, now: number, cut = false): Outcome {
	const { statusCode: status, headers = {}, body } = response;
	if (status >= 200 && status < 300) {
		const type = headerOf(headers, 'content-type');
		const contentType = Array.isArray(type) ? String(type[0]) : typeof type === 'string' ? type : '';
		return { ok: true, status, body, contentType, ...(cut ? { cut } : {}) };
	}
	const failed = httpFailure(status, headerOf(headers, 'retry-after'), body, now);
	if (!cut) return failed;
	const type = headerOf(headers, 'content-type');
	return { ...failed, cutAnswer: { status, body, cut, contentType: typeof type === 'string' ? type : '' } };
}

/** Reads an error thrown by httpRequestWithAuthentication (a NodeApiError made by n8n). */
export function readThrown(error: unknown, now: number): Failed {
	const auth = findAuthFailure(error);
	if (auth) {
		const failure: Failure =
			auth.reason === 'unreachable' ? { kind: 'network', code: auth.networkCode } : { kind: 'http', status: auth.status ?? 401 };
		return {
			ok: false,
			failure,
			body: undefined,
			raw: { message: auth.message, reason: auth.reason },
			authFinal: auth.reason === 'rejected' || auth.reason === 'notG2Sentry' || auth.reason === 'badConfig',
			authMessage: {
				message: auth.message,
				description: auth.description,
				httpCode: failure.kind === 'http' ? String(failure.status) : undefined,
				code: auth.networkCode,
			},
		};
	}
	const response = findResponse(error);
	if (response) return httpFailure(response.status, headerOf(response.headers, 'retry-after'), response.body, now);
	const code = findNetworkCode(error);
	return { ok: false, failure: { kind: 'network', code }, body: undefined, raw: { code: code ?? null } };
}

function httpFailure(status: number, retryAfter: unknown, body: unknown, now: number): Failed {
	const retryAfterMs = parseRetryAfter(retryAfter, now);
	return {
		ok: false,
		failure: { kind: 'http', status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
		body,
		// a web page from a proxy, or a huge JSON error, is kept in part: n8n stores the raw answer
		// with the execution
		raw: { httpCode: String(status), body: keptBody(body) },
	};
}

/** The body as the error keeps it: whole when small, else the start of its text (said so). */
export function keptBody(body: unknown): JsonObject {
	if (typeof body === 'string') return clip(body, ANSWER_LIMITS.rawBody) as unknown as JsonObject;
	if (body === undefined || body === null) return null as unknown as JsonObject;
	let text: string;
	try {
		text = JSON.stringify(body) ?? '';
	} catch {
		return '(unreadable body)' as unknown as JsonObject;
	}
	return (text.length <= ANSWER_LIMITS.rawBody ? body : clip(text, ANSWER_LIMITS.rawBody)) as JsonObject;
}

function headerOf(headers: unknown, name: string): unknown {
	if (headers === null || typeof headers !== 'object') return undefined;
	const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
	return entry?.[1];
}

interface ResponseSeen {
	status: number;
	headers?: unknown;
	body: unknown;
}

function findResponse(error: unknown): ResponseSeen | undefined {
	// n8n-workflow ≥ 2.34: the HTTP client's error is linked, with its response
	for (const link of causeChain(error)) {
		const response = link.response as { status?: unknown; data?: unknown; body?: unknown; headers?: unknown } | undefined;
		if (response && typeof response === 'object' && typeof response.status === 'number' && response.status > 0) {
			return { status: response.status, headers: response.headers, body: response.data ?? response.body };
		}
	}
	// older n8n-workflow: the status as text, a JSON object body in context.data, no headers
	for (const link of causeChain(error)) {
		const httpCode = link.httpCode;
		if (typeof httpCode === 'string' && /^[1-5]\d\d$/.test(httpCode)) {
			return { status: Number(httpCode), body: (link.context as { data?: unknown } | undefined)?.data };
		}
	}
	return undefined;
}

const NETWORK_CODE = /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/;

function findNetworkCode(error: unknown): string | undefined {
	for (const link of causeChain(error)) {
		// `httpCode` holds the network code on n8n-workflow before 2.34
		for (const code of [link.code, link.httpCode]) if (typeof code === 'string' && NETWORK_CODE.test(code)) return code;
	}
	for (const link of causeChain(error)) {
		// n8n rewrites the message of a network error; the original is kept in `messages`
		const texts = [link.message, ...(Array.isArray(link.messages) ? link.messages : [])];
		if (texts.some((text) => typeof text === 'string' && /socket hang up|terminated|other side closed/i.test(text))) {
			return 'ECONNRESET';
		}
	}
	return undefined;
}

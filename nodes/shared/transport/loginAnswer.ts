/**
 * One login or refresh call and its answer, for ./authentication.ts: a whole-request deadline, a
 * body read only up to ANSWER_MAX_BYTES (./answerBody.ts), and the check that an answer can carry
 * tokens at all (only JSON can; a captive portal's 200 page is no "token").
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import type { RefreshResponse } from '../contract';
import { BODY_AS_STREAM, readBody, releaseErrorBodies } from './answerBody';
import { isJsonType } from './answers';
import { ANSWER_MAX_BYTES, DeadlineError, deadlines, LOGIN_DEADLINE_CODE, untilAborted } from './limits';

/** Longest token accepted: real ones are a few hundred characters; a web page is not a token. */
const MAX_TOKEN_LENGTH = 8_192;

/**
 * One login or refresh call through n8n's plain httpRequest, given up after the login deadline
 * (n8n aborts it where it honours `abortSignal`; the race stops waiting where it does not).
 */
export async function withinLoginDeadline(call: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
	const signal = AbortSignal.timeout(deadlines.loginMs);
	const work = call(signal);
	try {
		return await untilAborted(work, signal, () => new DeadlineError(`no answer within ${deadlines.loginMs} ms`, LOGIN_DEADLINE_CODE));
	} finally {
		work.catch(() => {}); // an abandoned call may still fail later: nobody is waiting for it
	}
}

/** n8n's plain request helper, as preAuthentication has it. */
export type AuthRequest = (options: IHttpRequestOptions) => Promise<unknown>;

/** A login or refresh answer (n8n's full response), its body read; `cut` when it was too long. */
export interface AuthAnswer {
	statusCode?: number;
	headers?: Record<string, unknown>;
	body?: unknown;
	cut?: boolean;
}

/**
 * One login or refresh call (`options` with `returnFullResponse`) within the login deadline, its
 * body read as it arrives and cut at ANSWER_MAX_BYTES; the body of a refusal (n8n throws it) is
 * let go unread: only its status matters.
 */
export async function sendAuthCall(httpRequest: AuthRequest, options: IHttpRequestOptions): Promise<AuthAnswer> {
	return (await withinLoginDeadline(async (abortSignal) => {
		const sent = httpRequest({ ...options, ...BODY_AS_STREAM, abortSignal });
		sent.catch(releaseErrorBodies); // a refusal's body is let go; the refusal itself goes on below
		const response = await sent;
		const answer = (response ?? {}) as AuthAnswer;
		const { body, cut } = await readBody(answer.body, abortSignal);
		return { ...answer, body, cut };
	})) as AuthAnswer;
}

/** Text that can be a token: no spaces or markup, not empty, not a page. */
const tokenLike = (value: unknown): value is string =>
	typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(value) && !/[<>"]/.test(value);

const hasTokens = (value: unknown): value is RefreshResponse =>
	value !== null &&
	typeof value === 'object' &&
	tokenLike((value as RefreshResponse).accessToken) &&
	tokenLike((value as RefreshResponse).refreshToken);

/**
 * The tokens of a login or refresh answer (n8n's full response), or why it holds none: only a
 * JSON answer can carry them, so a captive portal's 200 page never becomes a "token".
 */
export function readTokens(response: unknown): { tokens: RefreshResponse } | { problem: string } {
	const { headers, body, cut } = (response ?? {}) as AuthAnswer;
	const type = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === 'content-type')?.[1];
	const contentType = typeof type === 'string' ? type : '';
	if (!isJsonType(contentType)) return { problem: `a ${contentType.split(';')[0].trim() || 'body without content type'} answer` };
	if (cut) return { problem: `an answer of more than ${ANSWER_MAX_BYTES} bytes (cut)` };
	if (!hasTokens(body)) return { problem: 'a JSON answer without tokens' };
	return { tokens: body };
}

/**
 * The credential's login and refresh calls: a whole-request deadline, and the check that an
 * answer can carry tokens at all (only JSON can; a captive portal's 200 page is no "token").
 * Pure apart from the deadline's race; the credential (credentials/G2SentryApi.credentials.ts)
 * sends the calls through n8n.
 */
import type { RefreshResponse } from '../contract';
import { isJsonType } from './answers';
import { DeadlineError, deadlines, LOGIN_DEADLINE_CODE, untilAborted } from './limits';

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
	const { headers, body } = (response ?? {}) as { headers?: Record<string, unknown>; body?: unknown };
	const type = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === 'content-type')?.[1];
	const contentType = typeof type === 'string' ? type : '';
	if (!isJsonType(contentType)) return { problem: `a ${contentType.split(';')[0].trim() || 'body without content type'} answer` };
	if (!hasTokens(body)) return { problem: 'a JSON answer without tokens' };
	return { tokens: body };
}

/**
 * The only code in the package that sends HTTP to the Partner API (login and refresh excepted:
 * n8n runs those through the credential's preAuthentication).
 *
 * Every call: base URL from the credential → client-side pacing per partner key → n8n's
 * httpRequestWithAuthentication (Bearer token; on a 401 n8n refreshes or logs in and re-sends
 * once) → on failure, the retry policy in ./retryPolicy.ts → a NodeApiError that says what
 * happened in the user's terms (./errors.ts), with the item index set.
 */
import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IExecuteSingleFunctions,
	type IHookFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type IPollFunctions,
	type IWebhookFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../../credentials/G2SentryApi.credentials';
import { findAuthFailure } from './authFailure';
import { causeChain } from './causeChain';
import { partnerBucketKey, resolveBaseUrl } from './environment';
import { ANSWER_LIMITS, clip, describeFailure, toNodeApiError, type FailureDescription, type RequestInfo } from './errors';
import { Pacer } from './pacing';
import { secretsOf } from './redact';
import { decideRetry, isIdempotentMethod, parseRetryAfter, type Failure } from './retryPolicy';

/** How long one request may take before it counts as a network failure. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One pacer per n8n process: module state is shared by every item, every execution and both
 * nodes of this package, which is exactly the scope G2 Sentry's per-key limit needs.
 */
export const pacer = new Pacer();

export type G2SentryContext =
	| IExecuteFunctions
	| IExecuteSingleFunctions
	| IHookFunctions
	| ILoadOptionsFunctions
	| IPollFunctions
	| IWebhookFunctions;

export interface G2SentryRequestOptions {
	method: IHttpRequestMethods;
	/** relative to the base URL, e.g. `/jobs/12` */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	/** may the request be sent again after a 5xx / broken connection? Default: not for POST. */
	idempotent?: boolean;
	itemIndex?: number;
}

/** The part of n8n's function contexts the transport uses (all of the above provide it). */
export interface ApiContext {
	getNode(): INode;
	/** only in executions: aborted when the user stops the execution */
	getExecutionCancelSignal?(): AbortSignal | undefined;
	getCredentials(type: string, itemIndex?: number): Promise<IDataObject>;
	helpers: {
		httpRequestWithAuthentication(
			this: unknown,
			credentialsType: string,
			requestOptions: IHttpRequestOptions,
		): Promise<unknown>;
	};
}

export async function g2SentryApiRequest<T = IDataObject>(
	this: G2SentryContext,
	options: G2SentryRequestOptions,
): Promise<T> {
	const context = this as unknown as ApiContext;
	const { method, path, body, qs, itemIndex } = options;
	const idempotent = options.idempotent ?? isIdempotentMethod(method);
	const credentials = await context.getCredentials(CREDENTIAL_TYPE, itemIndex);

	let baseUrl: string;
	try {
		baseUrl = resolveBaseUrl(credentials);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), (error as Error).message, { itemIndex });
	}
	const bucket = partnerBucketKey(baseUrl, credentials.partnerKey);
	const request: IHttpRequestOptions = {
		method,
		url: `${baseUrl}${path}`,
		json: true,
		timeout: REQUEST_TIMEOUT_MS,
		...(body !== undefined ? { body } : {}),
		...(qs !== undefined ? { qs } : {}),
	};
	const info: RequestInfo = { method, path, baseUrl, idempotent };
	const counts = { rateLimited: 0, transient: 0 };

	for (let attempt = 1; ; attempt++) {
		const wait = pacer.reserve(bucket);
		if (wait > 0) await pause(context, wait, itemIndex);

		let outcome: Classified;
		try {
			return (await context.helpers.httpRequestWithAuthentication.call(
				context,
				CREDENTIAL_TYPE,
				{ ...request },
			)) as T;
		} catch (error) {
			outcome = classify(error, Date.now());
		}

		// what the error may carry must not hold a token: read the stored ones again, since n8n may
		// have refreshed them during this very request
		const fail = async (described: FailureDescription) => {
			const current = await context.getCredentials(CREDENTIAL_TYPE, itemIndex).catch(() => undefined);
			const secrets = secretsOf(credentials, current);
			return toNodeApiError(context.getNode(), described, outcome.raw, itemIndex, secrets);
		};
		if (outcome.authFinal) {
			// key/secret refused or not a G2 Sentry server: retrying cannot help
			throw await fail(outcome.authMessage!);
		}
		// A failed login/refresh means the request itself was never processed: safe to repeat.
		const decision = decideRetry(outcome.failure, counts, idempotent || outcome.authMessage !== undefined);
		if (decision.retry) {
			if (decision.reason === 'rateLimited') {
				counts.rateLimited++;
				pacer.blockUntil(bucket, Date.now() + decision.delayMs);
			} else {
				counts.transient++;
				await pause(context, decision.delayMs, itemIndex);
			}
			continue;
		}
		const described = outcome.authMessage ?? describeFailure(outcome.failure, outcome.body, info, decision, attempt);
		throw await fail(described);
	}
}

/**
 * Waits for pacing or back-off, but stops at once when the execution is cancelled. The signal
 * goes to `sleep` as well, so its timer is cleared on cancel instead of holding the process (and
 * a cancelled 60 s Retry-After) open; the race keeps the prompt stop on n8n versions whose
 * `sleep` takes no signal.
 */
export async function pause(context: ApiContext, ms: number, itemIndex?: number): Promise<void> {
	const signal = context.getExecutionCancelSignal?.();
	if (!signal) return await sleep(ms);
	const cancelled = () =>
		new NodeOperationError(context.getNode(), 'The execution was cancelled while waiting to call G2 Sentry', { itemIndex });
	if (signal.aborted) throw cancelled();
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(cancelled());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms, signal).catch(() => aborted), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

interface Classified {
	failure: Failure;
	body: unknown;
	/** what n8n keeps as the error's raw response (no request headers: they hold the token) */
	raw: JsonObject;
	/** set when the credential's login/refresh failed; its message is already user-facing */
	authMessage?: FailureDescription;
	/** the login failure cannot be cured by trying again */
	authFinal?: boolean;
}

/** Reads an error thrown by httpRequestWithAuthentication (a NodeApiError around the HTTP error). */
export function classify(error: unknown, now: number): Classified {
	const auth = findAuthFailure(error);
	if (auth) {
		const failure: Failure =
			auth.reason === 'unreachable' ? { kind: 'network', code: auth.networkCode } : { kind: 'http', status: auth.status ?? 401 };
		return {
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
	if (response && typeof response.status === 'number' && response.status > 0) {
		const headers = (response.headers ?? {}) as Record<string, unknown>;
		const retryAfterMs = parseRetryAfter(headers['retry-after'] ?? headers['Retry-After'], now);
		const body = response.data ?? response.body;
		return {
			failure: { kind: 'http', status: response.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
			body,
			// a web page from a proxy is kept in part: n8n stores the raw answer with the execution
			raw: {
				httpCode: String(response.status),
				body: (typeof body === 'string' ? clip(body, ANSWER_LIMITS.rawBody) : (body ?? null)) as JsonObject,
			},
		};
	}
	const code = findNetworkCode(error);
	return { failure: { kind: 'network', code }, body: undefined, raw: { code: code ?? null } };
}

interface ResponseLike {
	status?: number;
	data?: unknown;
	body?: unknown;
	headers?: unknown;
}

function findResponse(error: unknown): ResponseLike | undefined {
	for (const link of causeChain(error)) {
		const response = link.response as ResponseLike | undefined;
		if (response && typeof response === 'object' && typeof response.status === 'number') return response;
	}
	return undefined;
}

function findNetworkCode(error: unknown): string | undefined {
	for (const link of causeChain(error)) {
		const code = link.code;
		if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
	}
	for (const link of causeChain(error)) {
		if (typeof link.message === 'string' && /socket hang up|terminated|other side closed/i.test(link.message)) {
			return 'ECONNRESET';
		}
	}
	return undefined;
}

/**
 * The only code in the package that sends HTTP to the Partner API (login and refresh excepted:
 * n8n runs those through the credential's preAuthentication).
 *
 * Each operation tells the transport what its request means (RequestIntent: what it is about,
 * whether it reads, changes or creates, which answer it expects); retries, error messages and
 * the answer check read that, never the URL.
 *
 * Every call: base URL from the credential → client-side pacing per partner key → n8n's
 * httpRequestWithAuthentication (Bearer token), asking for the full answer as a value whatever
 * its status (./outcome.ts explains why: on n8n before 2.34 a thrown error loses the status,
 * body and Retry-After) → a 401 is sent once more the throwing way, so that n8n refreshes the
 * token (preAuthentication) and re-sends → other failures go to the retry policy in
 * ./retryPolicy.ts → a NodeApiError that says what happened in the user's terms (./errors.ts),
 * with the item index set. A 2xx is checked against the expected answer (./answers.ts).
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
	type ITriggerFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../../credentials/G2SentryApi.credentials';
import { checkAnswer, isRecord, type Answer, type AnswerShape } from './answers';
import { partnerBucketKey, resolveBaseUrl } from './environment';
import { describeFailure, toNodeApiError, type Effect, type FailureDescription, type RequestInfo, type Subject } from './errors';
import { isFullResponse, readAnswer, readThrown, type Failed, type Outcome } from './outcome';
import { requestsPerMinute, sharedPacer } from './pacing';
import { secretsOf } from './redact';
import { decideRetry, isNotSent } from './retryPolicy';

export type { Effect, Subject } from './errors';
export { successEnvelope } from './answers';
export { requestsPerMinute } from './pacing';

/** How long one request may take before it counts as a network failure. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One pacer per n8n process, shared with the credential's logins and refreshes (see ./pacing):
 * the scope G2 Sentry's per-key limit needs.
 */
export const pacer = sharedPacer;

export type G2SentryContext =
	| IExecuteFunctions
	| IExecuteSingleFunctions
	| IHookFunctions
	| ILoadOptionsFunctions
	| IPollFunctions
	| ITriggerFunctions
	| IWebhookFunctions;

/** What a request means, as the operation sending it knows. */
export interface RequestIntent {
	/** what the request is about; names it in error messages */
	subject: Subject;
	/**
	 * read / change / create. Decides what may be sent again after a 5xx or a broken connection:
	 * a read always, a change unless it is a POST (a review), a create never.
	 */
	effect: Effect;
	/**
	 * the answer a 2xx must be; checked before it is returned. Without it (changes answered with
	 * `{ code, message }`), any 2xx is success and a body that is not a JSON object reads as `{}`.
	 */
	answer?: AnswerShape;
}

export interface G2SentryRequestOptions extends RequestIntent {
	method: IHttpRequestMethods;
	/** relative to the base URL, e.g. `/jobs/12` */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	itemIndex?: number;
	/**
	 * Stops the request: waits end at once, and the request in flight is aborted where n8n lets
	 * the node's signal through (see `send`). An execution's own cancel signal is always obeyed.
	 */
	abortSignal?: AbortSignal;
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

/** May the request be sent again when its fate is unknown (5xx, broken connection)? */
const repeatable = ({ effect, method }: { effect: Effect; method: string }) =>
	effect === 'read' || (effect === 'change' && method.toUpperCase() !== 'POST');

export async function g2SentryApiRequest(this: G2SentryContext, options: G2SentryRequestOptions): Promise<Answer> {
	const context = this as unknown as ApiContext;
	const { method, path, body, qs, itemIndex, subject, effect } = options;
	const idempotent = repeatable(options);
	const signal = eitherSignal(options.abortSignal, context.getExecutionCancelSignal?.());
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
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		...(body !== undefined ? { body } : {}),
		...(qs !== undefined ? { qs } : {}),
		...(signal !== undefined ? { abortSignal: signal } : {}),
	};
	const info: RequestInfo = { baseUrl, subject, effect };
	const counts = { rateLimited: 0, transient: 0 };
	/** a previous attempt may have reached G2 Sentry and taken effect (its answer was lost) */
	let maybeDone = false;
	/** one attempt in a paced slot, settled once answered (see Pacer.settle) */
	const pacedAttempt = async (options: IHttpRequestOptions) => {
		const { wait, slot } = pacer.book(bucket, requestsPerMinute(credentials));
		if (wait > 0) await pause(context, wait, itemIndex, signal);
		let answered = false;
		try {
			const outcome = await attemptOnce(context, options, signal, itemIndex);
			answered = outcome.ok || outcome.failure.kind === 'http';
			return outcome;
		} finally {
			pacer.settle(bucket, slot, answered);
		}
	};

	for (let attempt = 1; ; attempt++) {
		let outcome = await pacedAttempt(request);
		if (!outcome.ok && outcome.failure.kind === 'http' && outcome.failure.status === 401 && !outcome.authMessage) {
			// n8n renews the token only when the request throws a 401: send it once more that way
			outcome = await pacedAttempt({ ...request, ignoreHttpStatusErrors: false });
		}
		if (outcome.ok) {
			if (options.answer) return checkAnswer(context.getNode(), outcome.body, { method, path, effect, itemIndex }, options.answer);
			return isRecord(outcome.body) ? outcome.body : {};
		}
		const failed = outcome;

		// what the error may carry must not hold a token: read the stored ones again, since n8n may
		// have refreshed them during this very request
		const fail = async (described: FailureDescription) => {
			const current = await context.getCredentials(CREDENTIAL_TYPE, itemIndex).catch(() => undefined);
			const secrets = secretsOf(credentials, current);
			const error = toNodeApiError(context.getNode(), described, failed.raw, itemIndex, secrets);
			// lets an operation tell "already done by the attempt whose answer was lost" from a refusal
			if (maybeDone) error.context.repeatedAfterUnknownFate = true;
			return error;
		};
		if (failed.authFinal) {
			// key/secret refused or not a G2 Sentry server: retrying cannot help
			throw await fail(failed.authMessage!);
		}
		// A failed login/refresh means the request itself was never processed: safe to repeat.
		const decision = decideRetry(failed.failure, counts, idempotent || failed.authMessage !== undefined);
		if (decision.retry) {
			if (decision.reason === 'rateLimited') {
				counts.rateLimited++;
				pacer.blockUntil(bucket, Date.now() + decision.delayMs);
			} else {
				counts.transient++;
				if (failed.authMessage === undefined && !isNotSent(failed.failure)) maybeDone = true;
				await pause(context, decision.delayMs, itemIndex, signal);
			}
			continue;
		}
		const described = failed.authMessage ?? describeFailure(failed.failure, failed.body, info, decision, attempt);
		throw await fail(described);
	}
}

/** One send through n8n, read into an Outcome; a cancel (signal) ends the call at once. */
async function attemptOnce(
	context: ApiContext,
	request: IHttpRequestOptions,
	signal: AbortSignal | undefined,
	itemIndex: number | undefined,
): Promise<Outcome> {
	try {
		const value = await send(context, request, signal, itemIndex);
		// n8n answers with the full response when asked; a bare body would mean a 2xx
		return isFullResponse(value) ? readAnswer(value, Date.now()) : { ok: true, status: 200, body: value };
	} catch (error) {
		if (signal?.aborted) throw cancelled(context, itemIndex);
		return readThrown(error, Date.now()) satisfies Failed;
	}
}

/**
 * n8n puts the execution's cancel signal into the request options itself where the context has
 * one (executions), replacing the node's; elsewhere (a webhook) the node's signal aborts the
 * request. Versions that ignore `abortSignal` still send it to the end: the race stops waiting
 * for it either way.
 */
async function send(context: ApiContext, request: IHttpRequestOptions, signal: AbortSignal | undefined, itemIndex?: number) {
	const call = context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, { ...request });
	if (!signal) return await call;
	try {
		return await untilAborted(call, signal, () => cancelled(context, itemIndex));
	} finally {
		call.catch(() => {}); // an abandoned request may still fail later: nobody is waiting for it
	}
}

/** `work`, or the rejection `stop()` makes as soon as `signal` aborts (at once if it already has). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal, stop: () => Error): Promise<T> {
	if (signal.aborted) throw stop();
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(stop());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([work, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

function eitherSignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
	if (!a || !b) return a ?? b;
	return AbortSignal.any([a, b]);
}

const cancelled = (context: ApiContext, itemIndex?: number) =>
	new NodeOperationError(context.getNode(), 'The execution was cancelled while waiting to call G2 Sentry', { itemIndex });

/**
 * Waits for pacing or back-off, but stops at once when the execution is cancelled. The signal
 * goes to `sleep` as well, so its timer is cleared on cancel instead of holding the process (and
 * a cancelled 60 s Retry-After) open; the race keeps the prompt stop on n8n versions whose
 * `sleep` takes no signal.
 */
export async function pause(
	context: ApiContext,
	ms: number,
	itemIndex?: number,
	signal = context.getExecutionCancelSignal?.(),
): Promise<void> {
	if (!signal) return await sleep(ms);
	// sleep rejects on abort where it takes a signal; untilAborted's own rejection then wins
	await untilAborted(sleep(ms, signal).catch(() => new Promise<never>(() => {})), signal, () => cancelled(context, itemIndex));
}

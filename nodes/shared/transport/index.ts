/**
 * The only code in the package that sends HTTP to the Partner API (login and refresh excepted:
 * n8n runs those through the credential's preAuthentication).
 *
 * Each operation tells the transport what its request means (RequestIntent: what it is about,
 * whether it reads, changes or creates, which answer it expects); retries, error messages and
 * the answer check read that, never the URL.
 *
 * Every call: base URL from the credential → client-side pacing per partner key (./pacing.ts) →
 * n8n's httpRequestWithAuthentication (Bearer token), asking for the full answer as a value
 * whatever its status (./outcome.ts explains why: on n8n before 2.34 a thrown error loses the
 * status, body and Retry-After), its body as a stream read up to the cap (./answerBody.ts) →
 * a 401 is sent once more so that n8n renews the token (./authentication.ts) → other failures go to the retry policy in
 * ./retryPolicy.ts → a NodeApiError that says what happened in the user's terms (./errors.ts),
 * with the item index set. A 2xx is checked against the expected answer (./answers.ts); one
 * that is not it counts as an answer lost. Each attempt has a whole-request deadline
 * (./limits.ts), which n8n's own timeout is not: it only limits silence between bytes.
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
import { BODY_AS_STREAM, readBody, readErrorBodies } from './answerBody';
import { describeUnexpected, inspectAnswer, type Answer, type AnswerShape, type SuccessAnswer } from './answers';
import { sendRenewingToken } from './authentication';
import { partnerBucketKey, resolveBaseUrl } from './environment';
import { describeFailure, toNodeApiError, type Effect, type FailureDescription, type RequestInfo, type Subject } from './errors';
import {
	anySignal,
	deadlines,
	keepingSignal,
	REQUEST_DEADLINE_CODE,
	REQUEST_IDLE_TIMEOUT_MS,
	untilAborted,
} from './limits';
import { isFullResponse, readAnswer, readThrown, type Failed, type Outcome } from './outcome';
import { inPacedSlot, requestsPerMinute, sharedPacer } from './pacing';
import { secretsOf } from './redact';
import { decideRetry, isNotSent } from './retryPolicy';

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
	 * the answer a 2xx must be (JSON, this shape; SUCCESS_ENVELOPE for a change): checked before
	 * it is returned, so that no other 2xx becomes a success.
	 */
	answer: AnswerShape;
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
	const signal = anySignal(options.abortSignal, context.getExecutionCancelSignal?.());
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
		timeout: REQUEST_IDLE_TIMEOUT_MS,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		...(body !== undefined ? { body } : {}),
		...(qs !== undefined ? { qs } : {}),
	};
	const info: RequestInfo = { baseUrl, subject, effect };
	const counts = { rateLimited: 0, transient: 0 };
	/** a previous attempt may have reached G2 Sentry and taken effect (its answer was lost) */
	let maybeDone = false;
	/** one attempt in a slot of the per-key pacing (./pacing.ts); a cancel ends the wait for it */
	const pacedAttempt = async (options: IHttpRequestOptions) =>
		await inPacedSlot(bucket, requestsPerMinute(credentials), async () => await attemptOnce(context, options, signal, itemIndex), {
			wait: async (ms) => await pause(context, ms, itemIndex, signal),
			answered: (outcome) => outcome.ok || outcome.failure.kind === 'http',
		});

	for (let attempt = 1; ; attempt++) {
		// a 401 is sent once more so that n8n renews the token (./authentication.ts)
		const { outcome, notG2Sentry } = await sendRenewingToken(
			async (throwOn401) => await pacedAttempt(throwOn401 ? { ...request, ignoreHttpStatusErrors: false } : request),
		);
		/**
		 * a 2xx that is not the promised answer, or a 401 too long to be G2 Sentry's: handled like
		 * an answer lost (./retryPolicy.ts, rule 5)
		 */
		let unexpected: { answer: SuccessAnswer; problem: string } | undefined;
		const answer = outcome.ok ? outcome : notG2Sentry;
		if (answer) {
			const checked = inspectAnswer(answer, options.answer);
			if (checked.ok) return checked.value;
			unexpected = { answer, problem: checked.problem };
		}
		// an answer that was not returned above is unexpected: `outcome` is a failure otherwise
		const failed: Failed = unexpected
			? {
					ok: false,
					failure: { kind: 'unexpected', status: unexpected.answer.status },
					body: undefined,
					raw: { httpCode: String(unexpected.answer.status), contentType: unexpected.answer.contentType ?? null, problem: unexpected.problem },
				}
			: (outcome as Failed);

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
				sharedPacer.blockUntil(bucket, Date.now() + decision.delayMs);
			} else {
				counts.transient++;
				if (failed.authMessage === undefined && !isNotSent(failed.failure)) maybeDone = true;
				await pause(context, decision.delayMs, itemIndex, signal);
			}
			continue;
		}
		const described =
			failed.authMessage ??
			(unexpected
				? describeUnexpected(unexpected.answer, unexpected.problem, { method, path, effect, expected: options.answer.expected, attempts: attempt })
				: describeFailure(failed.failure, failed.body, info, decision, attempt));
		throw await fail(described);
	}
}

/**
 * One send through n8n within the deadline, read into an Outcome; a cancel (signal) ends it at
 * once. n8n hands the body over as a stream (./answerBody.ts): it is read here, within the same
 * deadline, and at most ANSWER_MAX_BYTES of it; an error's body the same way.
 */
async function attemptOnce(
	context: ApiContext,
	request: IHttpRequestOptions,
	signal: AbortSignal | undefined,
	itemIndex: number | undefined,
): Promise<Outcome> {
	const deadline = AbortSignal.timeout(deadlines.requestMs);
	const stop = anySignal(signal, deadline)!;
	// aborted once the attempt is over: n8n's HTTP client then closes a connection whose body
	// was not read to its end (it listens to the request's signal until the body has ended)
	const over = new AbortController();
	try {
		const value = await send(context, { ...request, ...BODY_AS_STREAM }, anySignal(stop, over.signal)!, itemIndex);
		// n8n answers with the full response when asked; a bare body would mean a 2xx
		const response = isFullResponse(value) ? value : undefined;
		const { body, cut } = await readBody(response ? response.body : value, stop, () => over.abort());
		if (!response) return { ok: true, status: 200, body, ...(cut ? { cut } : {}) };
		return readAnswer({ ...response, body }, Date.now(), cut);
	} catch (error) {
		if (!stop.aborted) await readErrorBodies(error, stop);
		if (signal?.aborted) throw cancelled(context, itemIndex);
		if (deadline.aborted) {
			// given up: whether the request reached G2 Sentry is not known (./retryPolicy.ts, rule 5)
			return { ok: false, failure: { kind: 'network', code: REQUEST_DEADLINE_CODE }, body: undefined, raw: { code: REQUEST_DEADLINE_CODE } };
		}
		return readThrown(error, Date.now()) satisfies Failed;
	} finally {
		over.abort();
	}
}

/**
 * n8n puts the execution's cancel signal into the request options itself where the context has
 * one (executions), replacing the node's: `keepingSignal` makes that assignment add to the
 * node's signal (cancel or deadline) instead, so that the deadline also aborts the request in
 * flight and stops reading its body. Versions that ignore `abortSignal` still send it to the
 * end: the race stops waiting for it either way.
 */
async function send(context: ApiContext, request: IHttpRequestOptions, stop: AbortSignal, itemIndex?: number) {
	const call = context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, keepingSignal(request, stop));
	try {
		return await untilAborted(call, stop, () => cancelled(context, itemIndex));
	} finally {
		call.catch(() => {}); // an abandoned request may still fail later: nobody is waiting for it
	}
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

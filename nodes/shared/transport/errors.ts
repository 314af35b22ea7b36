/**
 * Turns what went wrong with a Partner API call into words for the person running the
 * workflow: the vendor's code and message, each per-field error of a 400, the cut-off rule on a
 * 422, "not found or not yours" on a 404, and — for a create that failed in an unknown way —
 * that the job may exist and was deliberately not sent twice.
 *
 * `describeFailure` is pure; `toNodeApiError` wraps its result for n8n.
 */
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import { CUT_OFF_MS, ERROR_CODES, RATE_LIMIT_TEXT, type FieldError } from '../contract';
import { urlPart } from './environment';
import { deadlines, REQUEST_DEADLINE_CODE } from './limits';
import { redactDeep } from './redact';
import type { Decision, Failure } from './retryPolicy';

/** What the failed request was, as the operation told the transport (see RequestIntent). */
export interface RequestInfo {
	/** origin + /api/v1, for "could not reach" messages (never contains secrets) */
	baseUrl: string;
	/** what the request is about: names it in messages ("job 12", "the Guardian profile for job 12") */
	subject: Subject;
	effect: Effect;
}

/** The job (and Guardian) a request is about. */
export interface Subject {
	jobId?: number;
	guardianId?: number;
}

/** read: changes nothing; change: changes an existing job (cancel too, though it is a GET); create: books a job. */
export type Effect = 'read' | 'change' | 'create';

export interface FailureDescription {
	message: string;
	description: string;
	/** HTTP status as text (n8n's convention), absent for network failures */
	httpCode?: string;
	/** the vendor's error code (e.g. CUT_OFF_EXCEEDED) or the network error code */
	code?: string;
	fieldErrors?: FieldError[];
}

/**
 * Bounds on what an answer may put into an error. Messages are read by people and stored with
 * every execution; a proxy's 5 MB error page or a 10,000-entry `errors[]` must not end up there.
 */
export const ANSWER_LIMITS = { text: 300, fieldErrors: 50, fieldErrorsInMessage: 5, rawBody: 2_000 } as const;

export function clip(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** The vendor's error envelope, when the body is one; its texts clipped. */
export function readEnvelope(body: unknown): { code?: string; message?: string; errors?: FieldError[] } {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return {};
		}
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
	const record = value as Record<string, unknown>;
	const text = (value: unknown) => clip(String(value ?? ''), ANSWER_LIMITS.text);
	const errors = Array.isArray(record.errors)
		? record.errors
				.filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object')
				.map((e) => ({ fieldName: text(e.fieldName ?? e.field), message: text(e.message) }))
		: undefined;
	return {
		code: typeof record.code === 'string' ? text(record.code) : undefined,
		message: typeof record.message === 'string' ? text(record.message) : undefined,
		errors,
	};
}

function what({ subject }: RequestInfo): string {
	if (subject.guardianId !== undefined) return `the Guardian profile for job ${subject.jobId}`;
	return subject.jobId !== undefined ? `job ${subject.jobId}` : 'the request';
}

export function describeFailure(
	failure: Failure,
	body: unknown,
	req: RequestInfo,
	decision?: Decision,
	attempts = 1,
): FailureDescription {
	const isCreate = req.effect === 'create';
	if (failure.kind === 'network') {
		const unknownFate =
			decision?.retry === false && decision.reason === 'fateUnknown'
				? isCreate
					? ' The connection broke after the job request was sent, so the job may or may not have been created. It was NOT sent again, to avoid booking twice: check your jobs (e.g. by Client ID) before running this item again.'
					: ' The connection broke after the request was sent, so it may or may not have taken effect; it was not sent again.'
				: '';
		if (failure.code === REQUEST_DEADLINE_CODE) {
			const seconds = Math.round(deadlines.requestMs / 100) / 10;
			return {
				message: `G2 Sentry at ${urlPart(req.baseUrl, 'origin')} did not answer within ${seconds} s`,
				description: `Each attempt (connection, any login, the headers and the whole answer) may take ${seconds} s; the last of ${attempts} attempt(s) took longer and was given up (network deadline).${unknownFate} Check that the server is reachable from n8n and not overloaded.`,
				code: failure.code,
			};
		}
		return {
			message: `Could not reach G2 Sentry at ${urlPart(req.baseUrl, 'origin')}`,
			description: `The network request failed (${failure.code ?? 'connection error'}) after ${attempts} attempt(s).${unknownFate} Check the credential's environment / Base URL and that the server is reachable from n8n.`,
			code: failure.code,
		};
	}

	if (failure.kind === 'unexpected') {
		return { message: 'G2 Sentry answered something unexpected', description: `HTTP ${failure.status}.`, httpCode: String(failure.status) };
	}
	const { status } = failure;
	const envelope = readEnvelope(body);
	const vendor = envelope.message ? `G2 Sentry says: "${envelope.message}"` : `HTTP ${status}`;
	const codePart = envelope.code ? ` [${envelope.code}]` : '';
	const base = { httpCode: String(status), code: envelope.code };

	switch (true) {
		case status === 400: {
			const all = envelope.errors ?? [];
			const fieldErrors = all.slice(0, ANSWER_LIMITS.fieldErrors);
			const lines = fieldErrors.map((e) => `• ${e.fieldName || '(request)'}: ${e.message}`);
			if (all.length > fieldErrors.length) lines.push(`• … and ${all.length - fieldErrors.length} more`);
			return {
				...base,
				fieldErrors,
				message:
					all.length > 0
						? `G2 Sentry rejected the request: ${listed(all)}`
						: `G2 Sentry rejected the request as invalid${envelope.message ? `: ${envelope.message}` : ''}`,
				description: [`${vendor}${codePart}`, ...lines].join('\n'),
			};
		}
		case status === 401:
			return {
				...base,
				message: 'G2 Sentry did not accept the credential',
				description: `${vendor}${codePart}. n8n renewed the access token (by refresh, or by logging in again with the partner key and secret) and the request was still refused. Check the partner key and secret in the credential.`,
			};
		case status === 403:
			return {
				...base,
				message: `Access to ${what(req)} is forbidden for this partner account`,
				description: `${vendor}${codePart}. The job belongs to another G2 Sentry partner than the one in this credential.`,
			};
		case status === 404:
			return {
				...base,
				message: `${capitalise(what(req))} was not found, or it belongs to another partner account`,
				description: `${vendor}${codePart}. G2 Sentry answers the same for an unknown ID and for another partner's job. Check the ID and that the credential is the partner that created the job.${req.subject.guardianId !== undefined ? ' A Guardian profile is only available once the job is Assigned (or later) and for the Guardian assigned to it.' : ''}`,
			};
		case status === 422: {
			const cutOff = envelope.code === ERROR_CODES.cutOff;
			const hours = CUT_OFF_MS / 3_600_000;
			return {
				...base,
				message: cutOff
					? `Too late to change ${what(req)}: the ${hours}-hour cut-off before the scheduled start has passed`
					: `G2 Sentry refused ${req.effect === 'read' ? 'the request for' : 'to change'} ${what(req)}${envelope.message ? `: ${envelope.message}` : ''}`,
				description: cutOff
					? `${vendor}${codePart}. Partners can update or cancel a job only until ${hours} hours before its scheduled start; after that only G2 Sentry support can change it.`
					: `${vendor}${codePart}. The request was valid but the job's current state does not allow it (for example a review before the job is Completed, or a change to a finished job).`,
			};
		}
		case status === 429:
			return {
				...base,
				message: 'G2 Sentry is rate-limiting this partner key',
				description: `${vendor}${codePart}. G2 Sentry allows ${RATE_LIMIT_TEXT} per partner key; the node paced itself and waited ${attempts - 1} time(s), but the limit was still reached${decision?.retry === false && decision.reason === 'retryAfterTooLong' ? ' and the server asked to wait longer than the node waits on its own' : ''}. Try again later or spread the work over more time.`,
			};
		case status >= 500: {
			const unknownFate =
				decision?.retry === false && decision.reason === 'fateUnknown'
					? isCreate
						? ' The job may or may not have been created. It was NOT sent again, to avoid booking twice: check your jobs (e.g. by Client ID) before running this item again.'
						: ' The request may or may not have taken effect; it was not sent again because repeating it is not harmless.'
					: ` The node tried ${attempts} time(s).`;
			return {
				...base,
				message: `G2 Sentry had a problem on its side (HTTP ${status})`,
				description: `${vendor}${codePart}.${unknownFate}`,
			};
		}
		default:
			return {
				...base,
				message: `G2 Sentry refused the request (HTTP ${status})${envelope.message ? `: ${envelope.message}` : ''}`,
				description: `${vendor}${codePart}.`,
			};
	}
}

/**
 * The NodeApiError n8n shows and stores. `secrets` (see ./redact.ts) are removed from everything
 * it carries, because the vendor's words and the raw body can echo the request's headers.
 */
export function toNodeApiError(
	node: INode,
	unsafe: FailureDescription,
	unsafeRaw: JsonObject,
	itemIndex?: number,
	secrets: readonly string[] = [],
): NodeApiError {
	const described = redactDeep(unsafe, secrets);
	const raw = redactDeep(unsafeRaw, secrets);
	const error = new NodeApiError(node, raw, {
		message: described.message,
		description: described.description,
		httpCode: described.httpCode,
		itemIndex,
	});
	// NodeApiError rewrites messages containing network codes; keep ours word for word.
	error.message = described.message;
	error.description = described.description;
	if (described.code !== undefined) error.context.code = described.code;
	if (described.fieldErrors !== undefined) error.context.fieldErrors = described.fieldErrors as unknown as JsonObject[];
	if (itemIndex !== undefined) error.context.itemIndex = itemIndex;
	return error;
}

/** The first few field errors for the one-line message; the description lists them all. */
function listed(fieldErrors: FieldError[]): string {
	const shown = fieldErrors.slice(0, ANSWER_LIMITS.fieldErrorsInMessage).map((e) => `${e.fieldName}: ${e.message}`);
	const more = fieldErrors.length - shown.length;
	return `${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

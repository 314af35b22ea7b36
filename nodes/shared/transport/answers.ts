/**
 * Reading G2 Sentry's success answers. A 2xx that is not the JSON the contract promises (a web
 * page from a captive portal, a proxy or a wrong Base URL, an empty body, a list, an answer far
 * larger than any the contract has) must fail the item with a clear message — never turn into a
 * success or an item that silently lacks its job id or status.
 *
 * Every request names the answer it expects (RequestIntent's `answer`): the transport checks it
 * here (pure) and, when it does not hold, says so with the status, the content type and the first
 * characters of what came (./index.ts redacts them).
 */
import { ERROR_CODES } from '../contract';
import { parseId } from '../values';
import { ANSWER_MAX_BYTES } from './limits';
import { clip, type Effect, type FailureDescription } from './errors';

export type Answer = Record<string, unknown>;

export const isRecord = (value: unknown): value is Answer =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

/** What a required key must hold: non-empty text, an object, or an id (positive whole number). */
export type Kind = 'text' | 'object' | 'id';
const holds: Record<Kind, (value: unknown) => boolean> = {
	text: (value) => typeof value === 'string' && value !== '',
	object: isRecord,
	id: (value) => parseId(value) !== undefined,
};

/** The answer an operation expects: a JSON object, with these keys holding these kinds. */
export interface AnswerShape {
	/** how the expected answer looks, for the message, e.g. `{ jobId, status }` */
	expected: string;
	required?: Record<string, Kind>;
	/** a vendor error code in `code` is no success (the `{ code, message }` envelope) */
	refuseErrorCodes?: boolean;
}

/**
 * The `{ code: "SUCCESS", message }` envelope of an update, cancel or review. Any code that is
 * not one of the vendor's error codes counts as success; a body without both is not an answer
 * the change was made.
 */
export const SUCCESS_ENVELOPE: AnswerShape = {
	expected: '{ "code": "SUCCESS", "message": … }',
	required: { code: 'text', message: 'text' },
	refuseErrorCodes: true,
};

/** What a 2xx carried, as n8n handed it over. */
export interface SuccessAnswer {
	status: number;
	/** undefined when n8n gave the body alone (no headers to read) */
	contentType?: string;
	body: unknown;
	/** the body went on past ANSWER_MAX_BYTES: only its start was read (./answerBody.ts) */
	cut?: boolean;
}

const ERROR_CODE_SET: ReadonlySet<string> = new Set(Object.values(ERROR_CODES));

/** JSON, or a vendor type ending in +json; parameters (charset) ignored. */
export const isJsonType = (contentType: string) => /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType.trim());

/** The answer's size in characters of text (its JSON, when n8n parsed it): for a body n8n read itself. */
function sizeOf(body: unknown): number {
	if (typeof body === 'string') return body.length;
	try {
		return JSON.stringify(body)?.length ?? 0;
	} catch {
		return Number.POSITIVE_INFINITY;
	}
}

/** The answer as an object that holds what `shape` asks, or what is wrong with it. */
export function inspectAnswer(answer: SuccessAnswer, shape: AnswerShape): { ok: true; value: Answer } | { ok: false; problem: string } {
	const { contentType, body } = answer;
	if (body === undefined || (typeof body === 'string' && body.trim() === '')) return { ok: false, problem: 'with an empty body' };
	if (contentType !== undefined && !isJsonType(contentType)) {
		return { ok: false, problem: contentType.trim() === '' ? 'without a content type' : 'that is not JSON' };
	}
	if (answer.cut) return { ok: false, problem: `of more than ${ANSWER_MAX_BYTES} bytes (cut: no more was read)` };
	const size = sizeOf(body);
	if (size > ANSWER_MAX_BYTES) {
		return { ok: false, problem: `of ${size} characters, more than the ${ANSWER_MAX_BYTES} bytes kept (cut)` };
	}
	if (!isRecord(body)) {
		return { ok: false, problem: 'that is not a JSON object' };
	}
	const missing = Object.entries(shape.required ?? {})
		.filter(([key, kind]) => !holds[kind](body[key]))
		.map(([key]) => key);
	if (missing.length > 0) return { ok: false, problem: `without a valid ${missing.join(' and ')}` };
	if (shape.refuseErrorCodes && ERROR_CODE_SET.has(body.code as string)) {
		return { ok: false, problem: `with the error code ${String(body.code)}` };
	}
	return { ok: true, value: body };
}

/** How many characters of an unexpected answer the message quotes. */
export const QUOTED_CHARS = 200;

/** The first characters of a body, as text. */
export function firstChars(body: unknown, max = QUOTED_CHARS): string {
	if (body === undefined || body === null || body === '') return '(nothing)';
	let text: string;
	if (typeof body === 'string') text = body;
	else {
		try {
			text = JSON.stringify(body) ?? String(body);
		} catch {
			text = Object.prototype.toString.call(body);
		}
	}
	return JSON.stringify(clip(text, max));
}

/** "G2 Sentry answered something unexpected", with what came and what the user should check. */
export function describeUnexpected(
	answer: SuccessAnswer,
	problem: string,
	request: { method: string; path: string; effect: Effect; expected: string; attempts: number },
): FailureDescription {
	const type = answer.contentType === undefined ? 'content type not known' : answer.contentType.trim() || 'no content type';
	const mayHaveHappened =
		request.effect === 'create'
			? 'The job may have been created all the same: check your jobs (e.g. by Client ID) before running this item again.'
			: request.effect === 'change'
				? 'The change may or may not have been made: check the job before running this item again.'
				: undefined;
	return {
		message: `G2 Sentry answered something unexpected to ${request.method} ${request.path}`,
		description: [
			`HTTP ${answer.status} (${type}) ${problem}, after ${request.attempts} attempt(s). Expected ${request.expected}; the answer began ${firstChars(answer.body)}.`,
			mayHaveHappened,
			"Check that the credential's environment (or custom Base URL) points at the G2 Sentry Partner API itself, not at a proxy or sign-in page.",
		]
			.filter(Boolean)
			.join(' '),
		httpCode: String(answer.status),
		code: 'UNEXPECTED_ANSWER',
	};
}

/** `{ code, message }` of an update/cancel/review, already checked against SUCCESS_ENVELOPE. */
export function successEnvelope(answer: unknown): { code?: string; message?: string } {
	if (!isRecord(answer)) return {};
	const text = (value: unknown) => (typeof value === 'string' ? clip(value, 300) : undefined);
	return { code: text(answer.code), message: text(answer.message) };
}

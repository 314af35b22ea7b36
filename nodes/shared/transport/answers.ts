/**
 * Reading G2 Sentry's success answers. A 2xx whose body is not what the contract promises (a web
 * page from a proxy or a wrong Base URL, an empty body, a list) must fail the item with a clear
 * message — not turn into an item that silently lacks its job id or status.
 *
 * The transport runs the check when the operation says what answer it expects (RequestIntent's
 * `answer`), so the message can name the request and, for a create, say the job may exist.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import type { Effect } from './errors';
import { parseId, shown } from '../values';

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
}

/**
 * The answer as an object whose required keys hold what they should; otherwise a
 * NodeOperationError naming the request, what was missing and what came instead.
 */
export function checkAnswer(
	node: INode,
	answer: unknown,
	request: { method: string; path: string; effect: Effect; itemIndex?: number },
	shape: AnswerShape,
): Answer {
	const missing = isRecord(answer)
		? Object.entries(shape.required ?? {})
				.filter(([key, kind]) => !holds[kind](answer[key]))
				.map(([key]) => key)
		: [];
	if (isRecord(answer) && missing.length === 0) return answer;
	const problem = isRecord(answer) ? `without a valid ${missing.join(' and ')}` : 'that is not a JSON object';
	throw new NodeOperationError(node, `G2 Sentry answered ${request.method} ${request.path} with something ${problem}`, {
		itemIndex: request.itemIndex,
		description: [
			`Expected ${shape.expected}; got ${shown(answer)}.`,
			request.effect === 'create'
				? 'The job may have been created all the same: check your jobs (e.g. by Client ID) before running this item again.'
				: undefined,
			"Check that the credential's environment (or custom Base URL) points at the G2 Sentry Partner API itself.",
		]
			.filter(Boolean)
			.join(' '),
	});
}

/** `{ code, message }` of an update/cancel/review: the change was accepted whatever the body says. */
export function successEnvelope(answer: unknown): { code?: string; message?: string } {
	if (!isRecord(answer)) return {};
	const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
	return { code: text(answer.code), message: text(answer.message) };
}

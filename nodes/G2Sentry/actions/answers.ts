/**
 * Reading G2 Sentry's success answers. A 2xx whose body is not what the contract promises (a web
 * page from a proxy or a wrong Base URL, an empty body, a list) must fail the item with a clear
 * message — not turn into an item that silently lacks its job id or status.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { parseId, shown } from '../validation';

export type Answer = Record<string, unknown>;

const isRecord = (value: unknown): value is Answer =>
	value !== null && typeof value === 'object' && !Array.isArray(value);

/** What a required key must hold: non-empty text, an object, or an id (positive whole number). */
type Kind = 'text' | 'object' | 'id';
const holds: Record<Kind, (value: unknown) => boolean> = {
	text: (value) => typeof value === 'string' && value !== '',
	object: isRecord,
	id: (value) => parseId(value) !== undefined,
};

/**
 * The answer as an object whose `required` keys hold what they should; otherwise a NodeOperationError naming the request, what was missing and what came instead.
 * `afterEffect` is said when the call may already have changed something (a create).
 */
export function expectAnswer(
	this: IExecuteFunctions,
	answer: unknown,
	request: { call: string; expected: string; itemIndex: number; afterEffect?: string },
	required: Record<string, Kind> = {},
): Answer {
	const missing = isRecord(answer)
		? Object.entries(required)
				.filter(([key, kind]) => !holds[kind](answer[key]))
				.map(([key]) => key)
		: [];
	if (isRecord(answer) && missing.length === 0) return answer;
	const problem = isRecord(answer) ? `without a valid ${missing.join(' and ')}` : 'that is not a JSON object';
	throw new NodeOperationError(this.getNode(), `G2 Sentry answered ${request.call} with something ${problem}`, {
		itemIndex: request.itemIndex,
		description: [
			`Expected ${request.expected}; got ${shown(answer)}.`,
			request.afterEffect,
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

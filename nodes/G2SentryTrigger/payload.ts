/**
 * Turns the (already signature-checked) raw callback body into a typed event, or says in one
 * sentence why it cannot. Parses the raw bytes itself rather than n8n's parsed body, so that
 * what is validated is exactly what was signed.
 */
import { EVENT_RESULT_STATUS } from '../shared/contract';
import { isKnownEvent } from '../shared/events';

export interface CallbackEventData {
	jobId: number;
	eventType: string;
	jobName: string | null;
	jobStatus: string;
	guardianPhone: string | null;
	known: boolean;
}

export type ParseResult = { ok: true; event: CallbackEventData } | { ok: false; message: string };

/** Event names look like `JobAssigned`; anything else is not a plausible future event type. */
const EVENT_TYPE_SHAPE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function parseCallback(raw: Buffer): ParseResult {
	let body: unknown;
	try {
		body = JSON.parse(raw.toString('utf8'));
	} catch {
		return { ok: false, message: 'Body is not valid JSON' };
	}
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return { ok: false, message: 'Body must be a JSON object' };
	}
	const fields = body as Record<string, unknown>;

	const { jobId, eventType } = fields;
	if (typeof jobId !== 'number' || !Number.isSafeInteger(jobId) || jobId <= 0) {
		return { ok: false, message: 'jobId must be a positive integer' };
	}
	if (typeof eventType !== 'string' || !EVENT_TYPE_SHAPE.test(eventType)) {
		return { ok: false, message: 'eventType must be an event name such as JobAssigned' };
	}
	const known = isKnownEvent(eventType);

	for (const name of ['jobName', 'jobStatus', 'guardianPhone'] as const) {
		const value = fields[name];
		if (value !== undefined && value !== null && typeof value !== 'string') {
			return { ok: false, message: `${name} must be a string when present` };
		}
	}
	const jobStatus = nonEmpty(fields.jobStatus) ?? (known ? EVENT_RESULT_STATUS[eventType] : null);
	if (jobStatus === null) {
		return { ok: false, message: 'jobStatus is required for event types this node does not know' };
	}

	return {
		ok: true,
		event: {
			jobId,
			eventType,
			jobName: typeof fields.jobName === 'string' ? fields.jobName : null,
			// The payload's status is the truth (deliveries are unordered); the event only fills a gap.
			jobStatus,
			guardianPhone: nonEmpty(fields.guardianPhone),
			known,
		},
	};
}

function nonEmpty(value: unknown): string | null {
	return typeof value === 'string' && value.length > 0 ? value : null;
}

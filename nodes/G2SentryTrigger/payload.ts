/**
 * Turns the (already signature-checked) raw callback body into a typed event, or says in one
 * sentence why it cannot. Parses the raw bytes itself rather than n8n's parsed body, so that
 * what is validated is exactly what was signed.
 */
import { EVENT_RESULT_STATUS } from '../shared/contract';
import { isKnownEvent } from './events';

export interface CallbackEventData {
	jobId: number;
	eventType: string;
	jobName: string | null;
	jobStatus: string;
	guardianPhone: string | null;
	known: boolean;
}

export type ParseResult = { ok: true; event: CallbackEventData } | { ok: false; message: string };

/**
 * Event and status names look like `JobAssigned` / `InProgress`; anything else is not a plausible
 * future name, and the length bound keeps what the dedupe store remembers small.
 */
const NAME_SHAPE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * A callback is five short fields (a job name has at most 255 characters), so a few hundred
 * bytes; 64 KiB leaves ample room and stops a huge body before any work is spent on it.
 */
export const MAX_CALLBACK_BYTES = 64 * 1024;

/** JSON travels as UTF-8: invalid bytes are refused rather than silently turned into U+FFFD.
 * A leading byte-order mark is dropped (it is not part of the JSON text). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseCallback(raw: Buffer): ParseResult {
	let text: string;
	try {
		text = utf8.decode(raw);
	} catch {
		return { ok: false, message: 'Body is not valid UTF-8' };
	}
	let body: unknown;
	try {
		body = JSON.parse(text);
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
	if (typeof eventType !== 'string' || !NAME_SHAPE.test(eventType)) {
		return { ok: false, message: 'eventType must be an event name such as JobAssigned' };
	}
	const known = isKnownEvent(eventType);

	for (const name of ['jobName', 'jobStatus', 'guardianPhone'] as const) {
		const value = fields[name];
		if (value !== undefined && value !== null && typeof value !== 'string') {
			return { ok: false, message: `${name} must be a string when present` };
		}
	}
	const sentStatus = nonEmpty(fields.jobStatus);
	if (sentStatus !== null && !NAME_SHAPE.test(sentStatus)) {
		return { ok: false, message: 'jobStatus must be a status name such as Assigned' };
	}
	const jobStatus = sentStatus ?? (known ? EVENT_RESULT_STATUS[eventType] : null);
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

/**
 * The "Include Job Record" option: the callback carries only the job's id, name and status, so
 * workflows that need the address, schedule or the Guardian's name ask the API for the record.
 */
import { sleep, type IDataObject, type IWebhookFunctions } from 'n8n-workflow';

import { fetchJob } from '../shared/fetchJob';

/**
 * The lookup runs after the callback was acknowledged and before the workflow starts. The
 * transport may wait minutes (a long Retry-After, back-off on 5xx); meanwhile the event exists
 * only in memory, and n8n stopping would lose it. So the workflow starts after this long at most.
 */
export const JOB_LOOKUP_DEADLINE_MS = 15_000;

/**
 * Returns `{ job }` (the flat shape Job → Get outputs), or `{ job: null, jobError }` when the lookup fails or takes too long: the
 * callback has already been acknowledged, so the event must still reach the workflow, which can
 * check `jobError`. The transport's errors are already free of tokens and secrets.
 */
export async function fetchJobRecord(
	context: IWebhookFunctions,
	jobId: number,
	deadlineMs = JOB_LOOKUP_DEADLINE_MS,
): Promise<IDataObject> {
	const stop = new AbortController();
	const failed = (message: string): IDataObject => {
		// once abandoned, the lookup's own end ("cancelled while waiting") is nobody's news
		if (!stop.signal.aborted) context.logger.warn(`G2 Sentry job ${jobId} could not be fetched for the trigger: ${message}`);
		return { job: null, jobError: message };
	};
	// Once this signal fires the transport aborts the request in flight and stops waiting (pacing,
	// back-off), so an abandoned lookup does not go on retrying in the background.
	const lookup = fetchJob
		.call(context, jobId, { abortSignal: stop.signal })
		.then(
			(job) => ({ job }) as IDataObject,
			(error: unknown) => failed(error instanceof Error ? error.message : String(error)),
		);
	const deadline = sleep(deadlineMs, stop.signal).then(
		() => failed(`G2 Sentry did not answer within ${deadlineMs / 1000} s; the event is emitted without the record`),
		() => undefined, // the lookup finished first
	);
	try {
		// `deadline` gives undefined only once aborted, which happens below, after the race
		return (await Promise.race([lookup, deadline])) as IDataObject;
	} finally {
		stop.abort();
	}
}

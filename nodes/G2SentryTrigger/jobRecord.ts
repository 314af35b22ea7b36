/**
 * The "Include Job Record" option: the callback carries only the job's id, name and status, so
 * workflows that need the address, schedule or the Guardian's name ask the API for the record.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { g2SentryApiRequest } from '../shared/transport';

/**
 * Returns `{ job }`, or `{ job: null, jobError }` when the lookup fails: the callback has already
 * been acknowledged, so the event must still reach the workflow, which can check `jobError`.
 */
export async function fetchJobRecord(context: IWebhookFunctions, jobId: number): Promise<IDataObject> {
	try {
		const job = (await g2SentryApiRequest.call(context, {
			method: 'GET',
			path: `/jobs/${jobId}`,
			idempotent: true,
		})) as IDataObject;
		return { job };
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		context.logger.warn(`G2 Sentry job ${jobId} could not be fetched for the trigger: ${message}`);
		return { job: null, jobError: message };
	}
}

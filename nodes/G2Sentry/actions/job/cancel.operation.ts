import { NodeApiError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { compact, fetchJobStatus } from '../../../shared/fetchJob';
import { g2SentryApiRequest } from '../../../shared/transport';
import { SUCCESS_ENVELOPE, successEnvelope } from '../../../shared/transport/answers';
import { readId } from '../common';
import { forEditorAndAgent, JOB_ID_FOR_AGENT } from '../agentDefaults';
import { jobIdField } from './fields';

export const description: INodeProperties[] = [
	...forEditorAndAgent(
		jobIdField(
			'cancel',
			'ID of the job to cancel. Possible until 2 hours before the start; a fee may apply once a Guardian is assigned.',
		),
		JOB_ID_FOR_AGENT,
	),
];

/** GET /jobs/{jobId}/cancel (a GET, as the vendor defines it). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'cancel the job');
	const answer = await g2SentryApiRequest
		.call(this, { method: 'GET', path: `/jobs/${jobId}/cancel`, subject: { jobId }, effect: 'change', answer: SUCCESS_ENVELOPE, itemIndex })
		.catch(async (error: unknown) => {
			if (await canceledByLostAttempt.call(this, error, jobId, itemIndex)) return undefined;
			return await Promise.reject(error);
		});
	if (answer === undefined) {
		return {
			jobId,
			status: 'Canceled',
			message: `Job ${jobId} canceled. The answer to the first request was lost; the repeated request found the job already canceled.`,
		};
	}
	// the { code, message } envelope (checked by the transport) says the job is canceled
	return compact({ jobId, status: 'Canceled', ...successEnvelope(answer) });
}

/**
 * A cancel whose answer was lost (5xx, broken connection) is sent again; if the first one took
 * effect, G2 Sentry refuses the second with a 422 ("cannot be canceled"). Whether that 422 means
 * "already done" is read from the job's status, not from the wording of the refusal.
 */
async function canceledByLostAttempt(this: IExecuteFunctions, error: unknown, jobId: number, itemIndex: number): Promise<boolean> {
	if (!(error instanceof NodeApiError) || error.httpCode !== '422' || error.context.repeatedAfterUnknownFate !== true) {
		return false;
	}
	const now = await fetchJobStatus.call(this, jobId, { itemIndex }).catch(() => undefined);
	return now?.status === 'Canceled';
}

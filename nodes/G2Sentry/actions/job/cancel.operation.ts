import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { SuccessEnvelope } from '../../../shared/contract';
import { g2SentryApiRequest } from '../../../shared/transport';
import { readId } from '../common';
import { jobIdField } from './fields';

export const description: INodeProperties[] = [
	jobIdField(
		'cancel',
		'ID of the job to cancel. Possible until 2 hours before the start; a fee may apply once a Guardian is assigned.',
	),
];

/** GET /jobs/{jobId}/cancel (a GET, as the vendor defines it). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'cancel the job');
	const answer = (await g2SentryApiRequest.call(this, {
		method: 'GET',
		path: `/jobs/${jobId}/cancel`,
		itemIndex,
	})) as unknown as SuccessEnvelope;
	return { jobId, status: 'Canceled', code: answer.code, message: answer.message };
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { g2SentryApiRequest } from '../../../shared/transport';
import { successEnvelope } from '../answers';
import { compact, readId } from '../common';
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
	const answer = await g2SentryApiRequest.call(this, { method: 'GET', path: `/jobs/${jobId}/cancel`, itemIndex });
	// a 2xx means the job is canceled, whatever the body looks like
	return compact({ jobId, status: 'Canceled', ...successEnvelope(answer) });
}

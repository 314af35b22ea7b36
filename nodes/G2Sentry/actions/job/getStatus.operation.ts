import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { JobStatusResponse } from '../../../shared/contract';
import { g2SentryApiRequest } from '../../../shared/transport';
import { asNumber, readId } from '../common';
import { jobIdField } from './fields';

export const description: INodeProperties[] = [
	jobIdField('getStatus', 'ID of the job whose status to read'),
];

/** GET /jobs/{jobId}/status: the cheap polling call. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'get the job status');
	const answer = (await g2SentryApiRequest.call(this, {
		method: 'GET',
		path: `/jobs/${jobId}/status`,
		itemIndex,
	})) as unknown as JobStatusResponse;
	return { jobId: asNumber(answer.jobId ?? jobId) as number, status: answer.status };
}

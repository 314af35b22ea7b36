import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { g2SentryApiRequest } from '../../../shared/transport';
import { parseId } from '../../validation';
import { expectAnswer } from '../answers';
import { readId } from '../common';
import { jobIdField } from './fields';

export const description: INodeProperties[] = [
	jobIdField('getStatus', 'ID of the job whose status to read'),
];

/** GET /jobs/{jobId}/status: the cheap polling call. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'get the job status');
	const answer = await g2SentryApiRequest.call(this, { method: 'GET', path: `/jobs/${jobId}/status`, itemIndex });
	const { jobId: answeredId, status } = expectAnswer.call(
		this,
		answer,
		{ call: `GET /jobs/${jobId}/status`, expected: '{ jobId, status }', itemIndex },
		{ status: 'text' },
	);
	return { jobId: parseId(answeredId) ?? jobId, status: status as string };
}

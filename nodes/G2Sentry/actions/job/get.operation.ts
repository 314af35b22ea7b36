import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { JobRecord } from '../../../shared/contract';
import { g2SentryApiRequest } from '../../../shared/transport';
import { parseId } from '../../validation';
import { expectAnswer } from '../answers';
import { readId, shapeGuardian, shapeJob } from '../common';
import { jobIdField } from './fields';

export const description: INodeProperties[] = [
	jobIdField('get', 'ID of the job to read, as returned by Create'),
];

/** GET /jobs/{jobId}: the full record, with the assigned Guardian (or null). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'get the job');
	const answer = await g2SentryApiRequest.call(this, { method: 'GET', path: `/jobs/${jobId}`, itemIndex });
	const record = expectAnswer.call(
		this,
		answer,
		{ call: `GET /jobs/${jobId}`, expected: 'a job record { jobId, status, guardian, job }', itemIndex },
		{ status: 'text', job: 'object' },
	) as unknown as JobRecord;
	return {
		...shapeJob(parseId(record.jobId) ?? jobId, record.status, record.job),
		guardian: shapeGuardian(record.guardian),
	};
}

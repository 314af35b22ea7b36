import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { fetchJob } from '../../../shared/fetchJob';
import { readId } from '../common';
import { forEditorAndAgent, JOB_ID_FOR_AGENT } from '../agentDefaults';
import { jobIdField } from './fields';

export const description: INodeProperties[] = [
	...forEditorAndAgent(jobIdField('get', 'ID of the job to read, as returned by Create'), JOB_ID_FOR_AGENT),
];

/** GET /jobs/{jobId}: the full record, with the assigned Guardian (or null). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'get the job');
	return await fetchJob.call(this, jobId, { itemIndex });
}

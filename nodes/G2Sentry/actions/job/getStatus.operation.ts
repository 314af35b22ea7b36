import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { fetchJobStatus } from '../../../shared/fetchJob';
import { readId } from '../common';
import { forEditorAndAgent, JOB_ID_FOR_AGENT } from '../agentDefaults';
import { jobIdField } from './fields';

export const description: INodeProperties[] = [
	...forEditorAndAgent(jobIdField('getStatus', 'ID of the job whose status to read'), JOB_ID_FOR_AGENT),
];

/** GET /jobs/{jobId}/status: the cheap polling call. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'get the job status');
	return await fetchJobStatus.call(this, jobId, { itemIndex });
}

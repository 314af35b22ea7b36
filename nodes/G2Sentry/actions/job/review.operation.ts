import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ReviewRequest } from '../../../shared/contract';
import { g2SentryApiRequest } from '../../../shared/transport';
import { SUCCESS_ENVELOPE, successEnvelope } from '../../../shared/transport/answers';
import { checkReview } from '../../validation';
import { asNumber, compact } from '../../../shared/fetchJob';
import { asText, assertValid, readId } from '../common';
import { forEditorAndAgent, JOB_ID_FOR_AGENT } from '../agentDefaults';
import { jobIdField, rateField, reviewField } from './fields';

const show = { resource: ['job'], operation: ['review'] };

export const description: INodeProperties[] = [
	...forEditorAndAgent(jobIdField('review', 'ID of the job to review. Only possible once the job is Completed.'), JOB_ID_FOR_AGENT),
	// in an agent's hands the rating is the user's, never a preset 5
	...forEditorAndAgent(
		{ ...rateField, displayOptions: { show } },
		{ key: 'rate', description: "The user's rating of the Guardian, a whole number from 1 (poor) to 5 (excellent). Ask the user if they did not give one.", type: 'number' },
	),
	...forEditorAndAgent(
		{ ...reviewField, displayOptions: { show } },
		{ key: 'review', description: "The user's written feedback on the Guardian, in their words; empty if they gave none", type: 'string', optional: { fallback: '' } },
	),
];

/** POST /jobs/{jobId}/review. A POST: not repeated when its fate is unknown. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'review the job');
	const body: Partial<ReviewRequest> = compact({
		rate: asNumber(this.getNodeParameter('rate', itemIndex)) as number,
		review: asText(this.getNodeParameter('review', itemIndex, '')) as string,
	});
	assertValid.call(this, checkReview(body), itemIndex, 'review the job');

	const answer = await g2SentryApiRequest.call(this, {
		method: 'POST',
		path: `/jobs/${jobId}/review`,
		body: body as IDataObject,
		subject: { jobId },
		effect: 'change',
		answer: SUCCESS_ENVELOPE,
		itemIndex,
	});
	return compact({ jobId, ...body, ...successEnvelope(answer) } as IDataObject);
}

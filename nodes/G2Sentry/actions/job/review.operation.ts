import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ReviewRequest, SuccessEnvelope } from '../../../shared/contract';
import { g2SentryApiRequest } from '../../../shared/transport';
import { checkReview } from '../../../shared/validation';
import { assertValid, readId } from '../common';
import { jobIdField } from './fields';

const show = { resource: ['job'], operation: ['review'] };

export const description: INodeProperties[] = [
	jobIdField('review', 'ID of the job to review. Only possible once the job is Completed.'),
	{
		displayName: 'Rating',
		name: 'rate',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 5, numberPrecision: 0 },
		required: true,
		default: 5,
		description: "Your rating of the Guardian's work, from 1 (poor) to 5 (excellent)",
		displayOptions: { show },
	},
	{
		displayName: 'Review',
		name: 'review',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Optional written feedback',
		displayOptions: { show },
	},
];

/** POST /jobs/{jobId}/review. A POST: not repeated when its fate is unknown. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'review the job');
	const text = (this.getNodeParameter('review', itemIndex, '') as string).trim();
	const body: Partial<ReviewRequest> = { rate: this.getNodeParameter('rate', itemIndex) as number };
	if (text !== '') body.review = text;
	assertValid.call(this, checkReview(body), itemIndex, 'review the job');

	const answer = (await g2SentryApiRequest.call(this, {
		method: 'POST',
		path: `/jobs/${jobId}/review`,
		body: body as IDataObject,
		idempotent: false,
		itemIndex,
	})) as unknown as SuccessEnvelope;
	return { jobId, rate: body.rate as number, ...(body.review ? { review: body.review } : {}), code: answer.code, message: answer.message };
}

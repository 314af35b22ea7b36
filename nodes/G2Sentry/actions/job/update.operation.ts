import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { JobUpdate, SuccessEnvelope } from '../../../shared/contract';
import { g2SentryApiRequest } from '../../../shared/transport';
import { checkJobUpdate, toUtcIso } from '../../../shared/validation';
import { assertValid, compact, readId, readLocation } from '../common';
import { clientFields, descriptionField, durationField, jobIdField, locationField, nameField, whenDateField } from './fields';

const show = { resource: ['job'], operation: ['update'] };

export const description: INodeProperties[] = [
	jobIdField('update', 'ID of the job to change. Possible until 2 hours before the start.'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: [
			...clientFields,
			descriptionField,
			durationField,
			{ ...locationField, description: 'Replaces the whole location: give the full address, GPS, or both' },
			nameField,
			whenDateField,
		],
	},
];

/** PATCH /jobs/{jobId} with only the fields given; client fields are flat here, unlike Create. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'update the job');
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const update: Partial<JobUpdate> = compact({
		name: fields.name as string | undefined,
		whenDate:
			fields.whenDate === undefined || fields.whenDate === ''
				? undefined
				: (toUtcIso(fields.whenDate, this.getTimezone()) ?? (fields.whenDate as string)),
		duration: fields.duration as number | undefined,
		location: fields.location === undefined ? undefined : readLocation(fields.location),
		description: fields.description as string | undefined,
		clientId: fields.clientId as string | undefined,
		clientInfo: fields.clientInfo as string | undefined,
		clientPhone: fields.clientPhone as string | undefined,
	} as IDataObject);
	assertValid.call(this, checkJobUpdate(update, Date.now()), itemIndex, 'update the job');

	const answer = (await g2SentryApiRequest.call(this, {
		method: 'PATCH',
		path: `/jobs/${jobId}`,
		body: update as IDataObject,
		itemIndex,
	})) as unknown as SuccessEnvelope;
	return { jobId, updated: Object.keys(update), code: answer.code, message: answer.message };
}

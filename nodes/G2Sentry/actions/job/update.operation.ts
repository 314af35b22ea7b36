import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { JobUpdate } from '../../../shared/contract';
import { toUtcIso } from '../../dates';
import { g2SentryApiRequest } from '../../../shared/transport';
import { SUCCESS_ENVELOPE, successEnvelope } from '../../../shared/transport/answers';
import { checkJobUpdate } from '../../validation';
import { asNumber, compact } from '../../../shared/fetchJob';
import { asText, assertValid, readId, readLocation } from '../common';
import { forEditorAndAgent, JOB_ID_FOR_AGENT } from '../agentDefaults';
import { clientFields, descriptionField, durationField, jobIdField, locationField, nameField, whenDateField } from './fields';

const show = { resource: ['job'], operation: ['update'] };

export const description: INodeProperties[] = [
	...forEditorAndAgent(jobIdField('update', 'ID of the job to change. Possible until 2 hours before the start.'), JOB_ID_FOR_AGENT),
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
		name: asText(fields.name) as string | undefined,
		whenDate:
			fields.whenDate === undefined || fields.whenDate === ''
				? undefined
				: (toUtcIso(fields.whenDate, this.getTimezone()) ?? (fields.whenDate as string)),
		duration: asNumber(fields.duration) as number | undefined,
		// added but left empty: kept as {} so that validation asks for an address or GPS
		location: fields.location === undefined ? undefined : (readLocation(fields.location) ?? {}),
		description: asText(fields.description) as string | undefined,
		clientId: asText(fields.clientId) as string | undefined,
		clientInfo: asText(fields.clientInfo) as string | undefined,
		clientPhone: asText(fields.clientPhone) as string | undefined,
	} as IDataObject);
	assertValid.call(this, checkJobUpdate(update, Date.now()), itemIndex, 'update the job');

	const answer = await g2SentryApiRequest.call(this, {
		method: 'PATCH',
		path: `/jobs/${jobId}`,
		body: update as IDataObject,
		subject: { jobId },
		effect: 'change',
		answer: SUCCESS_ENVELOPE,
		itemIndex,
	});
	return compact({ jobId, updated: Object.keys(update), ...successEnvelope(answer) } as IDataObject);
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { Client, JobCreate } from '../../../shared/contract';
import { toUtcIso } from '../../dates';
import { g2SentryApiRequest } from '../../../shared/transport';
import { asNumber, compact, shapeJob } from '../../../shared/fetchJob';
import { parseId } from '../../../shared/values';
import { checkJobCreate } from '../../validation';
import { asText, assertValid, readLocation } from '../common';
import { clientFields, descriptionField, durationField, locationField, nameField, whenDateField } from './fields';

const show = { resource: ['job'], operation: ['create'] };

export const description: INodeProperties[] = [
	{
		displayName:
			"Do not turn on <b>Retry On Fail</b> in this node's settings: it runs the whole node again, with all its items, and can book a Guardian twice. When an answer is lost the node never sends a booking again on its own; the error says the job may exist, so look it up (e.g. by Client ID) before running the item again.",
		name: 'retryOnFailNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	{ ...nameField, required: true, displayOptions: { show } },
	{ ...whenDateField, required: true, displayOptions: { show } },
	{ ...durationField, required: true, displayOptions: { show } },
	// n8n raises no issue for an empty fixedCollection; required still marks it for the user,
	// and validation refuses a job without a location before anything is sent.
	{
		...locationField,
		required: true,
		description: 'Where the Guardian goes: a street address, GPS coordinates, or both. A new job needs at least one.',
		displayOptions: { show },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: [...clientFields, descriptionField],
	},
];

/** POST /jobs. Never sent twice when its fate is unknown (see the transport's retry policy). */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const extra = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const rawWhen = this.getNodeParameter('whenDate', itemIndex) as unknown;
	const client = compact({
		clientId: asText(extra.clientId),
		clientInfo: asText(extra.clientInfo),
		clientPhone: asText(extra.clientPhone),
	} as IDataObject) as Client;

	const job: Partial<JobCreate> = compact({
		name: asText(this.getNodeParameter('name', itemIndex)) as string,
		whenDate: toUtcIso(rawWhen, this.getTimezone()) ?? (rawWhen as string),
		duration: asNumber(this.getNodeParameter('duration', itemIndex)) as number,
		location: readLocation(this.getNodeParameter('location', itemIndex, {})),
		description: asText(extra.description) as string | undefined,
		client: Object.keys(client).length > 0 ? client : undefined,
	} as IDataObject);
	assertValid.call(this, checkJobCreate(job, Date.now()), itemIndex, 'create the job');

	const created = await g2SentryApiRequest.call(this, {
		method: 'POST',
		path: '/jobs',
		body: job as IDataObject,
		subject: {},
		effect: 'create',
		answer: { expected: '{ "jobId": <positive whole number> }', required: { jobId: 'id' } },
		itemIndex,
	});
	// The reference answers { jobId }; the overview diagram adds status. A new job is New.
	const status = typeof created.status === 'string' && created.status !== '' ? created.status : 'New';
	return shapeJob(parseId(created.jobId), status, job);
}

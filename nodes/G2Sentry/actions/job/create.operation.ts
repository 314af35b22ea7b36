import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { Client, JobCreate, JobCreated } from '../../../shared/contract';
import { g2SentryApiRequest } from '../../../shared/transport';
import { checkJobCreate, toUtcIso } from '../../../shared/validation';
import { assertValid, compact, readLocation, shapeJob } from '../common';
import { clientFields, descriptionField, durationField, locationField, nameField, whenDateField } from './fields';

const show = { resource: ['job'], operation: ['create'] };

export const description: INodeProperties[] = [
	{ ...nameField, required: true, displayOptions: { show } },
	{ ...whenDateField, required: true, displayOptions: { show } },
	{ ...durationField, required: true, displayOptions: { show } },
	{ ...locationField, displayOptions: { show } },
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
		clientId: extra.clientId,
		clientInfo: extra.clientInfo,
		clientPhone: extra.clientPhone,
	} as IDataObject) as Client;

	const job: Partial<JobCreate> = compact({
		name: this.getNodeParameter('name', itemIndex) as string,
		whenDate: toUtcIso(rawWhen, this.getTimezone()) ?? (rawWhen as string),
		duration: this.getNodeParameter('duration', itemIndex) as number,
		location: readLocation(this.getNodeParameter('location', itemIndex, {})),
		description: extra.description as string | undefined,
		client: Object.keys(client).length > 0 ? client : undefined,
	} as IDataObject);
	assertValid.call(this, checkJobCreate(job, Date.now()), itemIndex, 'create the job');

	const created = (await g2SentryApiRequest.call(this, {
		method: 'POST',
		path: '/jobs',
		body: job as IDataObject,
		idempotent: false,
		itemIndex,
	})) as unknown as JobCreated;
	// The reference answers { jobId }; the overview diagram adds status. A new job is New.
	return shapeJob(created.jobId, created.status ?? 'New', job);
}

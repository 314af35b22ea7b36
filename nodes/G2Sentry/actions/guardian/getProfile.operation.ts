import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { g2SentryApiRequest } from '../../../shared/transport';
import { parseId } from '../../../shared/validation';
import { readId } from '../common';

const show = { resource: ['guardian'], operation: ['getProfile'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Job ID',
		name: 'jobId',
		type: 'string',
		required: true,
		// straight from a Create/Get/Get Status output or a trigger item
		default: '={{ $json.jobId }}',
		description: 'ID of the job the Guardian is assigned to',
		displayOptions: { show },
	},
	{
		displayName: 'Guardian ID',
		name: 'guardianId',
		type: 'string',
		required: true,
		// straight from a Get output (guardian.guardianId)
		default: '={{ $json.guardian ? $json.guardian.guardianId : $json.guardianId }}',
		description: 'ID of the assigned Guardian, as in the output of Job → Get',
		displayOptions: { show },
	},
];

/** GET /jobs/{jobId}/guardians/{guardianId}: available once the job is at least Assigned. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const jobId = readId.call(this, 'jobId', itemIndex, 'get the Guardian profile');
	const guardianId = readId.call(this, 'guardianId', itemIndex, 'get the Guardian profile');
	const profile = await g2SentryApiRequest.call(this, {
		method: 'GET',
		path: `/jobs/${jobId}/guardians/${guardianId}`,
		subject: { jobId, guardianId },
		effect: 'read',
		answer: { expected: 'a Guardian profile { guardianId, firstName, lastName, bio, avatarUrl }' },
		itemIndex,
	});
	return {
		jobId,
		guardianId: parseId(profile.guardianId) ?? guardianId,
		firstName: profile.firstName,
		lastName: profile.lastName,
		bio: profile.bio,
		// a short-lived signed link: use it now, fetch the profile again later
		avatarUrl: profile.avatarUrl,
		fetchedAt: new Date().toISOString(),
	} as IDataObject;
}

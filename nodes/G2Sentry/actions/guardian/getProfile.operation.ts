import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { g2SentryApiRequest } from '../../../shared/transport';
import { parseId } from '../../../shared/values';
import { readId } from '../common';
import { forEditorAndAgent, JOB_ID_FOR_AGENT } from '../agentDefaults';
import { jobIdField } from '../job/fields';
import { guardianIdField } from './fields';

const show = { resource: ['guardian'], operation: ['getProfile'] };

export const description: INodeProperties[] = [
	// the editor's defaults read the incoming item, which an agent does not have
	...forEditorAndAgent(
		{ ...jobIdField('getProfile', 'ID of the job the Guardian is assigned to'), displayOptions: { show } },
		JOB_ID_FOR_AGENT,
	),
	...forEditorAndAgent(
		{ ...guardianIdField, displayOptions: { show } },
		{ key: 'guardianId', description: "The ID of the Guardian assigned to the job: guardian.guardianId in the job's record (Get job)", type: 'number' },
	),
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
		answer: { expected: 'a Guardian profile { guardianId, firstName, lastName, bio, avatarUrl }', required: { guardianId: 'id' } },
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

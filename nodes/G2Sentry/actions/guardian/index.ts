/** The Guardian resource: its operation, the Operation parameter offering it, and its subtitle. */
import { defineResource } from '../resource';
import * as getProfile from './getProfile.operation';

export const guardian = defineResource({
	operations: { getProfile },
	operationParameter: {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['guardian'] } },
		options: [
			{
				name: 'Get Profile',
				value: 'getProfile',
				action: 'Get the profile of a guardian',
				description: 'Read the name, bio and photo of the Guardian assigned to a job',
			},
		],
		default: 'getProfile',
	},
	subtitles: { getProfile: 'Get Guardian Profile' },
});

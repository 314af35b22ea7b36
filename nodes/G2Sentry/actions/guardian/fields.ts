/** Guardian parameter definitions whose label validation's messages quote (see FIELD_LABELS). */
import type { INodeProperties } from 'n8n-workflow';

export const guardianIdField: Omit<INodeProperties, 'displayOptions'> = {
	displayName: 'Guardian ID',
	name: 'guardianId',
	type: 'string',
	required: true,
	// straight from a Get output (guardian.guardianId)
	default: '={{ $json.guardian ? $json.guardian.guardianId : $json.guardianId }}',
	description: 'ID of the assigned Guardian, as in the output of Job → Get',
};

/**
 * Job parameter definitions: those used by more than one operation, and those whose label
 * validation's messages quote (FIELD_LABELS is read from here).
 */
import type { INodeProperties } from 'n8n-workflow';

export const jobIdField = (operation: string, description: string): INodeProperties => ({
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	required: true,
	// every operation the same: straight from a Create/Get/Get Status output or a trigger item
	default: '={{ $json.jobId }}',
	placeholder: 'e.g. 9142',
	description,
	displayOptions: { show: { resource: ['job'], operation: [operation] } },
});

export const nameField: Omit<INodeProperties, 'displayOptions'> = {
	displayName: 'Name',
	name: 'name',
	type: 'string',
	default: '',
	placeholder: 'e.g. Open house, 12 Main St',
	description: 'Title of the job, shown to the Guardian (at most 255 characters)',
};

export const whenDateField: Omit<INodeProperties, 'displayOptions'> = {
	displayName: 'Scheduled Start',
	name: 'whenDate',
	type: 'dateTime',
	default: '',
	description:
		"When the shift starts, at least 2 hours from now. A time without a time zone is read in the workflow's time zone.",
};

export const durationField: Omit<INodeProperties, 'displayOptions'> = {
	displayName: 'Duration (Minutes)',
	name: 'duration',
	type: 'number',
	typeOptions: { minValue: 1, numberPrecision: 0 },
	default: 120,
	description: 'Length of the shift in minutes',
};

export const descriptionField: Omit<INodeProperties, 'displayOptions'> = {
	displayName: 'Description',
	name: 'description',
	type: 'string',
	typeOptions: { rows: 3 },
	default: '',
	description: 'Instructions for the Guardian',
};

export const clientFields: Array<Omit<INodeProperties, 'displayOptions'>> = [
	{
		displayName: 'Client ID',
		name: 'clientId',
		type: 'string',
		default: '',
		description: 'Your own reference for the end client; G2 Sentry echoes it back',
	},
	{
		displayName: 'Client Info',
		name: 'clientInfo',
		type: 'string',
		default: '',
		description: 'Free text about the end client',
	},
	{
		displayName: 'Client Phone',
		name: 'clientPhone',
		type: 'string',
		default: '',
		placeholder: 'e.g. +12125550123',
		description: "End client's phone, used for masked calls; the Guardian never sees it",
	},
];

export const locationField: Omit<INodeProperties, 'displayOptions'> = {
	displayName: 'Location',
	name: 'location',
	type: 'fixedCollection',
	default: {},
	placeholder: 'Add Address or GPS',
	description: 'Where the Guardian goes: a street address, GPS coordinates, or both',
	options: [
		{
			displayName: 'Address',
			name: 'address',
			values: [
				{
					displayName: 'Address Line 1',
					name: 'address1',
					type: 'string',
					default: '',
					placeholder: 'e.g. 12 Main St',
				},
				{
					displayName: 'Address Line 2',
					name: 'address2',
					type: 'string',
					default: '',
					placeholder: 'e.g. Apt 4B',
				},
				{
					displayName: 'City',
					name: 'city',
					type: 'string',
					default: '',
					placeholder: 'e.g. New York',
				},
				{
					displayName: 'State',
					name: 'state',
					type: 'string',
					default: '',
					placeholder: 'e.g. NY',
					description: 'Two capital letters',
				},
				{
					displayName: 'ZIP Code',
					name: 'zip',
					type: 'string',
					default: '',
					placeholder: 'e.g. 10001',
					description: '5 digits, or 9 digits (ZIP+4)',
				},
			],
		},
		{
			displayName: 'GPS',
			name: 'gps',
			values: [
				// text, empty by default: a number field would start at 0, 0, a real point at sea
				{
					displayName: 'Latitude',
					name: 'latitude',
					type: 'string',
					default: '',
					placeholder: 'e.g. 40.7128',
					description: 'Decimal degrees, from -90 to 90',
				},
				{
					displayName: 'Longitude',
					name: 'longitude',
					type: 'string',
					default: '',
					placeholder: 'e.g. -74.0060',
					description: 'Decimal degrees, from -180 to 180',
				},
			],
		},
	],
};

export const rateField: Omit<INodeProperties, 'displayOptions'> = {
	displayName: 'Rating',
	name: 'rate',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 5, numberPrecision: 0 },
	required: true,
	default: 5,
	description: "Your rating of the Guardian's work, from 1 (poor) to 5 (excellent)",
};

export const reviewField: Omit<INodeProperties, 'displayOptions'> = {
	displayName: 'Review',
	name: 'review',
	type: 'string',
	typeOptions: { rows: 3 },
	default: '',
	description: 'Optional written feedback',
};

/** The Job resource: its operations, the Operation parameter offering them, and their subtitles. */
import { defineResource } from '../resource';
import * as cancel from './cancel.operation';
import * as create from './create.operation';
import * as get from './get.operation';
import * as getStatus from './getStatus.operation';
import * as review from './review.operation';
import * as update from './update.operation';

export const job = defineResource({
	operations: { create, get, update, cancel, getStatus, review },
	operationParameter: {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel a job',
				description: 'Cancel a job until 2 hours before its start',
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a job',
				description: 'Book a Guardian for a place and time (at least 2 hours ahead)',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a job',
				description: 'Read a job with its status and assigned Guardian',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				action: 'Get the status of a job',
				description: 'Read only the status of a job (New, Assigned, InProgress, Completed, Canceled)',
			},
			{
				name: 'Review',
				value: 'review',
				action: 'Review a job',
				description: 'Rate the Guardian 1–5 once the job is Completed',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a job',
				description: 'Change the fields given until 2 hours before the start',
			},
		],
		default: 'create',
	},
	subtitles: {
		create: 'Create Job',
		get: 'Get Job',
		getStatus: 'Get Job Status',
		update: 'Update Job',
		cancel: 'Cancel Job',
		review: 'Review Job',
	},
});

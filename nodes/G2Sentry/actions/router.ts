/** Resource + operation → the module that reads the parameters and makes the call. */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { OperationModule } from './common';
import * as getProfile from './guardian/getProfile.operation';
import * as cancel from './job/cancel.operation';
import * as create from './job/create.operation';
import * as get from './job/get.operation';
import * as getStatus from './job/getStatus.operation';
import * as review from './job/review.operation';
import * as update from './job/update.operation';

export const operations: Record<string, Record<string, OperationModule>> = {
	job: { create, get, update, cancel, getStatus, review },
	guardian: { getProfile },
};

export async function route(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const resource = this.getNodeParameter('resource', itemIndex) as string;
	const operation = this.getNodeParameter('operation', itemIndex) as string;
	const module = operations[resource]?.[operation];
	if (!module) {
		throw new NodeOperationError(this.getNode(), `Unsupported operation "${operation}" for resource "${resource}"`, {
			itemIndex,
		});
	}
	return await module.execute.call(this, itemIndex);
}

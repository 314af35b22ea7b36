import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import type { ResourceParameter } from './actions/resource';
import { errorItem } from './errorItem';
import { operationProperties, route, subtitle, type ResourceName } from './actions/router';

export class G2Sentry implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'G2 Sentry',
		name: 'g2Sentry',
		icon: { light: 'file:../icons/g2sentry.svg', dark: 'file:../icons/g2sentry.dark.svg' },
		group: ['transform'],
		version: 1,
		// Readable words under the node name instead of raw values such as "getStatus", built from
		// each resource's declaration (the unit tests check it names every operation).
		subtitle,
		description:
			'Book on-demand security Guardians with G2 Sentry: create, read, change, cancel and review jobs, and read the assigned Guardian profile',
		defaults: { name: 'G2 Sentry' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Guardian', value: 'guardian', description: 'The security professional assigned to a job' },
					{ name: 'Job', value: 'job', description: 'A booking of a Guardian for a place and time' },
				],
				default: 'job',
			} satisfies ResourceParameter<ResourceName>,
			...operationProperties,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const output: INodeExecutionData[] = [];

		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const json = await route.call(this, itemIndex);
				output.push({ json, pairedItem: { item: itemIndex } });
			} catch (error) {
				// NodeApiError and NodeOperationError hand back an instance of their own class unchanged
				// (ignoring the itemIndex option), so the index is set on the context as well.
				const nodeError =
					error instanceof NodeApiError
						? new NodeApiError(this.getNode(), error as unknown as JsonObject, { itemIndex })
						: new NodeOperationError(this.getNode(), error as Error, { itemIndex });
				nodeError.context.itemIndex = itemIndex;
				if (this.continueOnFail()) {
					output.push(errorItem(nodeError, itemIndex));
					continue;
				}
				throw nodeError;
			}
		}
		return [output];
	}
}

/**
 * Resource + operation → the module that reads the parameters and makes the call. Everything here
 * is read from the resource modules (./<resource>/index.ts); nothing names an operation itself.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { OperationModule } from './common';
import { guardian } from './guardian';
import { job } from './job';

/** The resources by their value in the Resource parameter. */
const resources = { job, guardian };

export type ResourceName = keyof typeof resources;

/** Each resource's operations by name: `operations.job.create`, `operations.guardian.getProfile`. */
export const operations = {
	job: job.operations,
	guardian: guardian.operations,
} satisfies Record<ResourceName, Record<string, OperationModule>>;

/** Every resource's Operation parameter and its operations' parameters, for the node's description. */
export const operationProperties: INodeProperties[] = Object.values(resources).flatMap((resource) => resource.properties);

/**
 * The node's subtitle: the readable words for the selected resource and operation (the raw value
 * if an unknown one is stored). An expression the editor evaluates, with the words built in.
 */
export const subtitle = `={{ ((${JSON.stringify(
	Object.fromEntries(Object.entries(resources).map(([name, resource]) => [name, resource.subtitles])),
)})[$parameter["resource"]] || {})[$parameter["operation"]] || $parameter["operation"] }}`;

function lookUp(resource: string, operation: string): OperationModule | undefined {
	if (!Object.hasOwn(operations, resource)) return undefined;
	const byName: Record<string, OperationModule> = operations[resource as ResourceName];
	return Object.hasOwn(byName, operation) ? byName[operation] : undefined;
}

export async function route(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const resource = this.getNodeParameter('resource', itemIndex) as string;
	const operation = this.getNodeParameter('operation', itemIndex) as string;
	const module = lookUp(resource, operation);
	if (!module) {
		throw new NodeOperationError(this.getNode(), `Unsupported operation "${operation}" for resource "${resource}"`, {
			itemIndex,
		});
	}
	return await module.execute.call(this, itemIndex);
}

/**
 * What a resource module (actions/<resource>/index.ts) declares: its operations by name, the
 * Operation parameter that offers them, and the words the canvas shows under the node for each.
 * The node's description, its subtitle and the router are all read from these declarations, so an
 * operation is added in its resource's index alone, and the compiler refuses an operation that is
 * named in one of these places and missing or misspelt in another.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { OperationModule } from './common';

export interface OperationOption<Operation extends string> extends INodePropertyOptions {
	value: Operation;
	action: string;
	description: string;
}

export interface OperationParameter<Operation extends string> extends INodeProperties {
	name: 'operation';
	type: 'options';
	options: Array<OperationOption<Operation>>;
	default: Operation;
}

/** The node's Resource parameter: each option's value, and the default, name a known resource. */
export interface ResourceParameter<Name extends string> extends INodeProperties {
	name: 'resource';
	type: 'options';
	options: Array<INodePropertyOptions & { value: Name }>;
	default: Name;
}

export interface ResourceDeclaration<Operation extends string, Offered extends Operation> {
	operations: Record<Operation, OperationModule>;
	operationParameter: OperationParameter<Offered>;
	/** e.g. "Get job status": readable words instead of the raw value "getStatus" */
	subtitles: Record<Operation, string>;
}

/**
 * Resolves to `unknown` when every operation has an option; otherwise to a type no declaration
 * can satisfy, whose key names the operations the Operation parameter does not offer.
 */
type EveryOperationOffered<Operation extends string, Offered extends Operation> = [Exclude<Operation, Offered>] extends [never]
	? unknown
	: { [missing in `no option offers ${Exclude<Operation, Offered>}`]: never };

export interface Resource<Operation extends string> {
	operations: Record<Operation, OperationModule>;
	subtitles: Record<Operation, string>;
	/** the Operation parameter, then each operation's own parameters */
	properties: INodeProperties[];
}

export function defineResource<Operation extends string, Offered extends Operation>(
	declaration: ResourceDeclaration<Operation, Offered> & EveryOperationOffered<Operation, Offered>,
): Resource<Operation> {
	const { operations, operationParameter, subtitles } = declaration;
	const modules: OperationModule[] = Object.values(operations);
	return { operations, subtitles, properties: [operationParameter, ...modules.flatMap((module) => module.description)] };
}

/**
 * What the operation modules share: reading parameters into the API's shapes, refusing invalid
 * input before anything is sent, and shaping responses into tidy, typed items.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { Address, Gps, Location } from '../../shared/contract';
import { asNumber } from '../../shared/fetchJob';
import { parseId } from '../../shared/values';
import { checkId, type FieldIssue } from '../validation';

export type OperationExecute = (this: IExecuteFunctions, itemIndex: number) => Promise<IDataObject>;

export interface OperationModule {
	description: INodeProperties[];
	execute: OperationExecute;
}

/** Refuses the item when validation found problems; nothing has been sent at this point. */
export function assertValid(
	this: IExecuteFunctions,
	issues: FieldIssue[],
	itemIndex: number,
	action: string,
): void {
	if (issues.length === 0) return;
	const summary = issues.length === 1 ? issues[0].message : `${issues.length} problems: ${issues.map((i) => i.message).join('; ')}`;
	const error = new NodeOperationError(this.getNode(), `Cannot ${action} (item ${itemIndex}): ${summary}`, {
		itemIndex,
		description: `${issues.map((i) => `• ${i.message} [${i.field}]`).join('\n')}\nNothing was sent to G2 Sentry.`,
	});
	error.context.fieldErrors = issues.map((i) => ({ fieldName: i.field, message: i.message }));
	throw error;
}

/** Reads a job or guardian id parameter as the positive integer the API expects. */
export function readId(this: IExecuteFunctions, parameter: 'jobId' | 'guardianId', itemIndex: number, action: string): number {
	const raw = this.getNodeParameter(parameter, itemIndex) as unknown;
	assertValid.call(this, checkId(raw, parameter), itemIndex, action);
	return parseId(raw)!;
}

/**
 * Text as the API wants it: trimmed, and a number from an expression or a spreadsheet (a client
 * id 77, a ZIP 10001) taken as its digits. Anything else is left for validation to name.
 */
export function asText(value: unknown): unknown {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return typeof value === 'string' ? value.trim() : value;
}

/**
 * The `location` fixed collection has the API's shape already (`{ address: {...}, gps: {...} }`);
 * this drops empty optional parts so that "not given" and "given but empty" stay distinguishable.
 */
export function readLocation(value: unknown): Location | undefined {
	if (value === null || typeof value !== 'object') return undefined;
	const { address, gps } = value as { address?: Partial<Address>; gps?: Partial<Gps> };
	const location: Location = {};
	if (address && typeof address === 'object') {
		const shaped: Partial<Address> = {
			address1: asText(address.address1) as string,
			city: asText(address.city) as string,
			state: asText(address.state) as string,
			zip: asText(address.zip) as string,
		};
		const address2 = asText(address.address2);
		if (typeof address2 === 'string' && address2 !== '') shaped.address2 = address2;
		location.address = shaped as Address;
	}
	if (gps && typeof gps === 'object') {
		location.gps = { latitude: asNumber(gps.latitude) as number, longitude: asNumber(gps.longitude) as number };
	}
	return location.address || location.gps ? location : undefined;
}

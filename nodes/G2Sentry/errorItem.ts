/**
 * A failed item under "On Error: Continue" (regular or error output), in the shape every
 * supported n8n routes and keeps.
 *
 * n8n moves an item to the error output when the item carries `error`, or when its json looks like
 * an error. What counts as "looks like" changed in n8n 2.34.6 / 2.35.3 / 2.36: before, only
 * `{ error }` or `{ error, message }`; since, any json whose keys are among `error`, `message`,
 * `details` — and since then n8n also replaces the json of an item carrying `error` with the bare
 * message. So `{ error, details }` alone is routed by current n8n, and needs `error` on the item
 * for older ones — only where the error output is used: those versions too keep just the message
 * of an item carrying `error`, so on the regular output the json goes alone, details and all.
 *
 * Which kind of n8n runs the node is told by its n8n-workflow: before 2.34 it drops an error's
 * `cause` (a class field resets it). Patch releases 2.34.0–2.34.5 and 2.35.0–2.35.2 keep `cause`
 * but route by the old rule: there a failed item stays on the regular output.
 */
import { NodeOperationError, type IDataObject, type INode, type INodeExecutionData, type NodeApiError } from 'n8n-workflow';

let routesByItemError: boolean | undefined;

function olderN8n(node: INode): boolean {
	if (routesByItemError === undefined) {
		const probe = new Error('probe');
		routesByItemError = new NodeOperationError(node, probe).cause !== probe;
	}
	return routesByItemError;
}

export function errorItem(error: NodeApiError | NodeOperationError, itemIndex: number): INodeExecutionData {
	const item: INodeExecutionData = { json: errorToJson(error), pairedItem: { item: itemIndex } };
	if (error.node.onError === 'continueErrorOutput' && olderN8n(error.node)) item.error = error;
	return item;
}

/** Only `error` and `details` at the top level: the json shape current n8n routes and keeps. */
function errorToJson(error: NodeApiError | NodeOperationError): IDataObject {
	const context = error.context as IDataObject;
	const details: IDataObject = {};
	if (error.description) details.description = error.description;
	if ('httpCode' in error && error.httpCode) details.httpCode = error.httpCode;
	if (context.code !== undefined) details.code = context.code;
	if (context.fieldErrors !== undefined) details.fieldErrors = context.fieldErrors;
	details.itemIndex = context.itemIndex;
	return { error: error.message, details };
}

// What one webhook() call asks of n8n, counted by wrapping the context it runs with: parameter
// evaluations (n8n 2.x evaluates each through its expression engine), credential reads (in n8n 2.x
// each one a database query plus an expression isolate of its own, see docs/performance.md) and
// static-data use. Nothing in the node knows it is counted.
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

export interface AskedOfN8n {
	/** getNodeParameter calls, by parameter name */
	parameters: string[];
	credentialReads: number;
	/** getWorkflowStaticData calls */
	staticDataOpened: number;
	/** keys assigned or deleted in static data (n8n then saves the whole blob) */
	staticDataWrites: number;
}

export const nothingAsked = (): AskedOfN8n => ({ parameters: [], credentialReads: 0, staticDataOpened: 0, staticDataWrites: 0 });

/** Wraps `context` in place (n8n-core's context keeps private state, so no Proxy around it). */
export function countAsks(context: IWebhookFunctions, into: AskedOfN8n): IWebhookFunctions {
	const getNodeParameter = context.getNodeParameter.bind(context) as (...args: unknown[]) => unknown;
	const getCredentials = context.getCredentials.bind(context);
	const getWorkflowStaticData = context.getWorkflowStaticData.bind(context);
	Object.assign(context, {
		getNodeParameter: (...args: unknown[]) => {
			into.parameters.push(String(args[0]));
			return getNodeParameter(...args);
		},
		getCredentials: async (type: string) => {
			into.credentialReads += 1;
			return await getCredentials(type);
		},
		getWorkflowStaticData: (type: string) => {
			into.staticDataOpened += 1;
			return new Proxy(getWorkflowStaticData(type), {
				set(target, key, value) {
					into.staticDataWrites += 1;
					return Reflect.set(target, key, value);
				},
				deleteProperty(target, key) {
					into.staticDataWrites += 1;
					return Reflect.deleteProperty(target, key);
				},
			}) as IDataObject;
		},
	});
	return context;
}

/**
 * A node type run the way n8n 1.x (n8n-workflow before 2.34) hands it errors: whatever n8n-core's
 * httpRequestWithAuthentication throws is wrapped again — exactly as n8n 1.123 does it,
 * `new NodeApiError(node, error)` around the HTTP client's or the credential's error — by the
 * NodeApiError of n8n-workflow 1.120.31 (the devDependency `n8n-workflow-v1`, what n8n 1.123.81
 * ships). That class drops `cause`, so the node sees the old shape: `httpCode`, `context.data`
 * and the message, no response and no headers. Everything else is the current n8n-core.
 */
import { NodeApiError, type IExecuteFunctions, type INodeType } from 'n8n-workflow';
import { NodeApiError as OldNodeApiError } from 'n8n-workflow-v1';

export interface OldN8nOptions {
	/** also drop Retry-After from answers returned as values (a proxy that strips it) */
	stripRetryAfter?: boolean;
}

export function asOnOldN8n(nodeType: INodeType, options: OldN8nOptions = {}): INodeType {
	return {
		description: nodeType.description,
		async execute(this: IExecuteFunctions) {
			const helpers = this.helpers;
			const original = helpers.httpRequestWithAuthentication;
			const node = this.getNode();
			helpers.httpRequestWithAuthentication = async function (this: IExecuteFunctions, ...args: Parameters<typeof original>) {
				try {
					const value = (await original.apply(this, args)) as { headers?: Record<string, unknown> } | undefined;
					if (options.stripRetryAfter && value?.headers) {
						for (const name of Object.keys(value.headers)) if (name.toLowerCase() === 'retry-after') delete value.headers[name];
					}
					return value;
				} catch (error) {
					const inner = error instanceof NodeApiError && error.cause instanceof Error ? error.cause : error;
					throw new OldNodeApiError(node as never, inner as never);
				}
			};
			return await nodeType.execute!.call(this);
		},
	};
}

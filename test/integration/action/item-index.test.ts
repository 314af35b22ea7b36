/**
 * Whatever an operation throws, the failed item is named by its own index. NodeApiError and
 * NodeOperationError return an existing instance unchanged when wrapped again (ignoring the
 * itemIndex option), so an error created without one must still end up with the right index.
 */
import { NodeApiError, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { operations } from '../../../nodes/G2Sentry/actions/router';
import { G2Sentry } from '../../../nodes/G2Sentry/G2Sentry.node';
import { executeNode } from '../../../lab/helpers/execute-node';
import { credentialsFor } from '../../../lab/helpers/action-setup';

const original = operations.job.getStatus;
afterEach(() => {
	operations.job.getStatus = original;
});

it.each([
	['NodeApiError', (ctx: IExecuteFunctions) => new NodeApiError(ctx.getNode(), { message: 'api said no' })],
	['NodeOperationError', (ctx: IExecuteFunctions) => new NodeOperationError(ctx.getNode(), 'operation said no')],
	['plain Error', () => new Error('something broke')],
])('a %s thrown without an item index is reported for its own item', async (_, makeError) => {
	operations.job.getStatus = {
		description: [],
		async execute(this: IExecuteFunctions, itemIndex: number) {
			if (itemIndex === 1) throw makeError(this);
			return { itemIndex };
		},
	};
	const result = await executeNode({
		nodeType: new G2Sentry(),
		parameters: { resource: 'job', operation: 'getStatus', jobId: '1' },
		items: [{}, {}, {}],
		credentials: credentialsFor('http://127.0.0.1:9/api/v1', {}), // never called
		onError: 'continueErrorOutput',
	});
	expect(result.items.map((i) => [i.json.itemIndex, i.pairedItem])).toEqual([
		[0, { item: 0 }],
		[2, { item: 2 }],
	]);
	expect(result.errorItems).toHaveLength(1);
	expect(result.errorItems[0].pairedItem).toEqual({ item: 1 });
	expect(result.errorItems[0].json.details).toMatchObject({ itemIndex: 1 });
});

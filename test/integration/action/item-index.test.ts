/**
 * Whatever an operation throws, the failed item is named by its own index. NodeApiError and
 * NodeOperationError return an existing instance unchanged when wrapped again (ignoring the
 * itemIndex option), so an error created without one must still end up with the right index.
 */
import { NodeApiError, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { G2SentryApi } from '../../../credentials/G2SentryApi.credentials';
import { operations } from '../../../nodes/G2Sentry/actions/router';
import { G2Sentry } from '../../../nodes/G2Sentry/G2Sentry.node';
import { executeNode, InMemoryCredentialsHelper } from '../../helpers/execute-node';

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
		credentials: new InMemoryCredentialsHelper([new G2SentryApi()]).set('g2SentryApi', {}),
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

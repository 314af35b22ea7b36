/**
 * A failed item under "On Error: Continue" must reach the error output on every supported n8n:
 * current n8n-workflow routes `{ error, details }` json (and would replace the json of an item
 * carrying `error` with the bare message), n8n before 2.34 routes by the item's `error` only.
 * Both n8n-workflow builds are real: the current devDependency and 1.x (as n8n 1.123.81 ships it).
 */
import type { INode, INodeExecutionData } from 'n8n-workflow';

const node: INode = { id: 'n1', name: 'G2 Sentry', type: 'n8n-nodes-g2sentry.g2Sentry', typeVersion: 1, position: [0, 0], parameters: {} };

function failedItemWith(workflowPackage: string, onError: INode['onError'] = 'continueErrorOutput'): { item: INodeExecutionData; error: Error } {
	let item: INodeExecutionData | undefined;
	let error: Error | undefined;
	jest.isolateModules(() => {
		jest.doMock('n8n-workflow', () => jest.requireActual(workflowPackage));
		const wf = jest.requireActual(workflowPackage);
		const { errorItem } = require('../../nodes/G2Sentry/errorItem');
		error = new wf.NodeOperationError({ ...node, onError }, 'Scheduled Start must be at least 2 hours ahead', {
			itemIndex: 2,
			description: 'whenDate',
		});
		item = errorItem(error, 2);
	});
	return { item: item!, error: error! };
}

afterEach(() => jest.dontMock('n8n-workflow'));

test('current n8n: the error is json only, { error, details }, so n8n routes it and keeps the details', () => {
	const { item } = failedItemWith('n8n-workflow');
	expect(item.error).toBeUndefined();
	expect(Object.keys(item.json).sort()).toEqual(['details', 'error']);
	expect(item.json).toMatchObject({ error: 'Scheduled Start must be at least 2 hours ahead', details: { description: 'whenDate', itemIndex: 2 } });
	expect(item.pairedItem).toEqual({ item: 2 });
});

test('n8n before 2.34: the item carries the error as well, the json is the same', () => {
	const { item, error } = failedItemWith('n8n-workflow-v1');
	expect(item.error).toBe(error);
	expect(item.json).toMatchObject({ error: 'Scheduled Start must be at least 2 hours ahead', details: { description: 'whenDate', itemIndex: 2 } });
	expect(item.pairedItem).toEqual({ item: 2 });
});

test('n8n before 2.34, regular output: json alone, so the details are kept', () => {
	const { item } = failedItemWith('n8n-workflow-v1', 'continueRegularOutput');
	expect(item.error).toBeUndefined();
	expect(item.json).toMatchObject({ details: { description: 'whenDate', itemIndex: 2 } });
});

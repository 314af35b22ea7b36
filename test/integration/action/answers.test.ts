/**
 * Answers that are not what the contract promises, from a stub server over real HTTP: each
 * operation either fails its item with a message naming the call and what came back, or — when
 * the change has certainly happened (a 2xx to cancel, update, review) — reports it without
 * inventing fields. Nothing is sent twice.
 */
import { G2Sentry } from '../../../nodes/G2Sentry/G2Sentry.node';
import { executeNode } from '../../helpers/execute-node';
import { useStubPartnerApi } from '../../helpers/stubPartnerApi';
import { createParameters, credentialsFor } from './setup';

const fixture = useStubPartnerApi();

const run = (parameters: Record<string, unknown>, onError?: 'continueErrorOutput') =>
	executeNode({
		nodeType: new G2Sentry(),
		parameters: parameters as never,
		credentials: credentialsFor(fixture.current.baseUrl, { partnerKey: 'stub-key', partnerSecret: 'stub-secret-not-real' }),
		...(onError ? { onError } : {}),
	});
const apiCalls = () => fixture.current.requests.filter((r) => !r.path.includes('/access/'));

const html = { contentType: 'text/html', body: '<!doctype html><html><body>Welcome to our portal</body></html>' };

describe('a web page instead of JSON', () => {
	it.each([
		['get', { resource: 'job', operation: 'get', jobId: '12' }, 'GET /jobs/12'],
		['getStatus', { resource: 'job', operation: 'getStatus', jobId: '12' }, 'GET /jobs/12/status'],
		['getProfile', { resource: 'guardian', operation: 'getProfile', jobId: '12', guardianId: '3' }, 'GET /jobs/12/guardians/3'],
	])('%s fails the item, naming the call and quoting the page', async (_, parameters, call) => {
		fixture.current.answer(() => html);
		const result = await run(parameters, 'continueErrorOutput');
		expect(result.items).toEqual([]);
		expect(result.errorItems).toHaveLength(1);
		expect(result.errorItems[0].pairedItem).toEqual({ item: 0 });
		expect(result.errorItems[0].json.error).toBe(`G2 Sentry answered ${call} with something that is not a JSON object`);
		expect((result.errorItems[0].json.details as { description: string }).description).toMatch(
			/got "<!doctype html><html><body>Welcome.*Base URL\) points at the G2 Sentry Partner API/,
		);
	});

	it('create fails saying the job may exist, and is not sent again', async () => {
		fixture.current.answer(() => html);
		const result = await run(createParameters());
		expect(result.error?.message).toBe('G2 Sentry answered POST /jobs with something that is not a JSON object');
		expect(result.error?.description).toMatch(/The job may have been created all the same/);
		expect(apiCalls()).toHaveLength(1);
	});
});

describe('JSON of the wrong shape', () => {
	it.each([
		['no jobId', '{"status":"New"}'],
		['a jobId that is not a number', '{"jobId":"abc"}'],
		['a list', '[{"jobId":5}]'],
	])('create with %s fails instead of outputting an item without id', async (_, body) => {
		fixture.current.answer(() => ({ status: 201, body }));
		const result = await run(createParameters());
		expect(result.error?.message).toMatch(/^G2 Sentry answered POST \/jobs with something (without a valid jobId|that is not a JSON object)$/);
		expect(result.error?.description).toContain(body.slice(0, 20));
		expect(apiCalls()).toHaveLength(1);
	});

	it('create accepts a jobId sent as text, and outputs it as a number', async () => {
		fixture.current.answer(() => ({ status: 201, body: '{"jobId":"9142"}' }));
		const result = await run(createParameters());
		expect(result.items[0].json).toMatchObject({ jobId: 9142, status: 'New' });
	});

	it('get without status or job record fails; getStatus without status fails', async () => {
		fixture.current.answer(() => ({ body: '{"jobId":12,"job":{"name":"x"}}' }));
		expect((await run({ resource: 'job', operation: 'get', jobId: '12' })).error?.message).toBe(
			'G2 Sentry answered GET /jobs/12 with something without a valid status',
		);
		fixture.current.answer(() => ({ body: '{"jobId":12,"status":"New","job":null}' }));
		expect((await run({ resource: 'job', operation: 'get', jobId: '12' })).error?.message).toBe(
			'G2 Sentry answered GET /jobs/12 with something without a valid job',
		);
		fixture.current.answer(() => ({ body: '{"jobId":12}' }));
		expect((await run({ resource: 'job', operation: 'getStatus', jobId: '12' })).error?.message).toBe(
			'G2 Sentry answered GET /jobs/12/status with something without a valid status',
		);
	});
});

describe('changes that succeeded with an unusual body', () => {
	it.each([
		['an empty body', { status: 204, body: '' }],
		['a web page', html],
		['null', { body: 'null' }],
	])('cancel, update and review report success on %s, without made-up fields', async (_, answer) => {
		fixture.current.answer(() => answer);
		const cancel = await run({ resource: 'job', operation: 'cancel', jobId: '12' });
		expect(cancel.items[0].json).toEqual({ jobId: 12, status: 'Canceled' });
		const update = await run({ resource: 'job', operation: 'update', jobId: '12', updateFields: { duration: 30 } });
		expect(update.items[0].json).toEqual({ jobId: 12, updated: ['duration'] });
		const review = await run({ resource: 'job', operation: 'review', jobId: '12', rate: 5 });
		expect(review.items[0].json).toEqual({ jobId: 12, rate: 5 });
		expect(apiCalls().map((r) => r.method)).toEqual(['GET', 'PATCH', 'POST']);
	});
});

/**
 * Answers that are not what the contract promises, from a stub server over real HTTP: every
 * operation fails its item with "G2 Sentry answered something unexpected", naming the call, the
 * status, the content type and the first characters of what came back — never a success. Reads,
 * updates and cancels are tried again first (an answer lost), after a back-off shortened here
 * (lab/helpers/shortBackoff.ts); a create or a review is never sent twice.
 */
import { G2Sentry } from '../../../nodes/G2Sentry/G2Sentry.node';
import { executeNode } from '../../../lab/helpers/execute-node';
import { useStubPartnerApi } from '../../../lab/helpers/stubPartnerApi';
import { createParameters, credentialsFor } from '../../../lab/helpers/action-setup';
import { useShortBackoff } from '../../../lab/helpers/shortBackoff';

const fixture = useStubPartnerApi();
useShortBackoff();

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
		expect(result.errorItems[0].json.error).toBe(`G2 Sentry answered something unexpected to ${call}`);
		expect((result.errorItems[0].json.details as { description: string }).description).toMatch(
			/^HTTP 200 \(text\/html\) that is not JSON, after 4 attempt\(s\)\..*began "<!doctype html><html><body>Welcome.*Base URL\) points at the G2 Sentry Partner API/,
		);
		expect(apiCalls()).toHaveLength(4); // a read whose answer was not the promised one is tried again
	});

	it('create fails saying the job may exist, and is not sent again', async () => {
		fixture.current.answer(() => html);
		const result = await run(createParameters());
		expect(result.error?.message).toBe('G2 Sentry answered something unexpected to POST /jobs');
		expect(result.error?.description).toMatch(/The job may have been created all the same/);
		expect(apiCalls()).toHaveLength(1);
	});
});

describe('an unexpected answer that echoes the request', () => {
	it('quotes its first characters with the token and secrets removed', async () => {
		fixture.current.answer((request) => ({ contentType: 'text/html', body: `<p>${request.headers.authorization} stub-refresh-token-1-not-real stub-secret-not-real</p>` }));
		const result = await run({ resource: 'job', operation: 'getStatus', jobId: '12' });
		const text = `${result.error?.message} ${result.error?.description}`;
		expect(text).toContain('<p>Bearer [redacted] [redacted] [redacted]</p>');
		for (const secret of [...fixture.current.issuedTokens, 'stub-secret-not-real']) expect(text).not.toContain(secret);
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
		expect(result.error?.message).toBe('G2 Sentry answered something unexpected to POST /jobs');
		expect(result.error?.description).toMatch(/HTTP 201 \(application\/json\) (without a valid jobId|that is not a JSON object)/);
		expect(result.error?.description).toContain(JSON.stringify(body).slice(1, 20));
		expect(apiCalls()).toHaveLength(1);
	});

	it('create accepts a jobId sent as text, and outputs it as a number', async () => {
		fixture.current.answer(() => ({ status: 201, body: '{"jobId":"9142"}' }));
		const result = await run(createParameters());
		expect(result.items[0].json).toMatchObject({ jobId: 9142, status: 'New' });
	});

	it('get without status or job record fails; getStatus without status fails', async () => {
		const description = async (parameters: Record<string, unknown>) => {
			const result = await run(parameters);
			expect(result.error?.message).toMatch(/^G2 Sentry answered something unexpected to GET \/jobs\/12/);
			return result.error?.description;
		};
		fixture.current.answer(() => ({ body: '{"jobId":12,"job":{"name":"x"}}' }));
		expect(await description({ resource: 'job', operation: 'get', jobId: '12' })).toMatch(/without a valid status/);
		fixture.current.answer(() => ({ body: '{"jobId":12,"status":"New","job":null}' }));
		expect(await description({ resource: 'job', operation: 'get', jobId: '12' })).toMatch(/without a valid job/);
		fixture.current.answer(() => ({ body: '{"jobId":12}' }));
		expect(await description({ resource: 'job', operation: 'getStatus', jobId: '12' })).toMatch(/without a valid status/);
	});
});

describe('changes answered with something else than the { code, message } envelope', () => {
	it.each([
		['an empty body', { status: 204, body: '' }, /HTTP 204 \(application\/json\) with an empty body/],
		['a web page', html, /HTTP 200 \(text\/html\) that is not JSON/],
		['null', { body: 'null' }, /HTTP 200 \(application\/json\) that is not a JSON object/],
		['an error code', { body: '{"code":"INVALID_JOB_STATE","message":"no"}' }, /with the error code INVALID_JOB_STATE/],
		['no message', { body: '{"code":"SUCCESS"}' }, /without a valid message/],
	])('cancel, update and review fail on %s, never report success', async (_, answer, problem) => {
		fixture.current.answer(() => answer);
		const cancel = await run({ resource: 'job', operation: 'cancel', jobId: '12' });
		expect(cancel.error?.message).toBe('G2 Sentry answered something unexpected to GET /jobs/12/cancel');
		expect(cancel.error?.description).toMatch(problem);
		expect(cancel.error?.description).toMatch(/may or may not have been made/);
		const update = await run({ resource: 'job', operation: 'update', jobId: '12', updateFields: { duration: 30 } });
		expect(update.error?.message).toBe('G2 Sentry answered something unexpected to PATCH /jobs/12');
		const review = await run({ resource: 'job', operation: 'review', jobId: '12', rate: 5 });
		expect(review.error?.message).toBe('G2 Sentry answered something unexpected to POST /jobs/12/review');
		// cancel and update are idempotent: tried again (4 attempts); a review (POST) is sent once
		expect(apiCalls().map((r) => r.method)).toEqual([...Array(4).fill('GET'), ...Array(4).fill('PATCH'), 'POST']);
	});

	it('report success with the envelope, whatever its success code says', async () => {
		fixture.current.answer(() => ({ body: '{"code":"OK","message":"Job 12 canceled"}' }));
		const cancel = await run({ resource: 'job', operation: 'cancel', jobId: '12' });
		expect(cancel.items[0].json).toEqual({ jobId: 12, status: 'Canceled', code: 'OK', message: 'Job 12 canceled' });
	});
});

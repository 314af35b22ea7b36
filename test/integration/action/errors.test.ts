/**
 * Every error class the API (or the node's own validation) produces, as n8n shows it: the
 * message, the item it belongs to, and continue-on-fail / error-output behaviour.
 */
import type { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../../credentials/G2SentryApi.credentials';
import { createJob, createParameters, freshCredentials, hoursFromNow, useSandbox } from '../../../lab/helpers/action-setup';

const env = useSandbox();

const apiRequests = async () => (await env.requests()).filter((r) => !r.path.includes('/access/'));

describe('validation before sending', () => {
	it('stops on the invalid item, names the field and the item, and sends nothing for it', async () => {
		const result = await env.run(createParameters({ name: '={{ $json.name }}', location: { address: { address1: '1 A St', city: 'X', state: '={{ $json.state }}', zip: '10001' } } }), [
			{ name: 'Fine', state: 'NY' },
			{ name: 'x'.repeat(300), state: 'New York' },
		]);
		const error = result.error as NodeOperationError;
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(
			'Cannot create the job (item 1): 2 problems: Name is 300 characters long; G2 Sentry allows at most 255; State must be two capital letters, e.g. NY (got "New York")',
		);
		expect(error.context.itemIndex).toBe(1);
		expect(error.description).toMatch(/Nothing was sent to G2 Sentry/);
		expect((await apiRequests()).map((r) => r.method)).toEqual(['POST']); // item 0 only
	});

	it.each([
		[{ whenDate: new Date(Date.now() + 30 * 60_000).toISOString() }, /Scheduled Start must be at least 2 hours from now/],
		[{ duration: 0 }, /Duration \(Minutes\) must be a positive whole number/],
		[{ location: {} }, /Location needs an address, GPS coordinates, or both/],
		[{ location: { address: { address1: '1 A St', city: 'X', state: 'NY', zip: '1234' } } }, /ZIP Code must be 5 digits or 9 digits/],
		[{ whenDate: 'next tuesday' }, /Scheduled Start must be a date and time/],
	])('refuses %p without any request', async (overrides, message) => {
		const result = await env.run(createParameters(overrides));
		expect(result.error?.message).toMatch(message);
		expect(await env.requests()).toEqual([]);
	});

	it('refuses a rating outside 1–5 and a job id that is not a number', async () => {
		const review = await env.run({ resource: 'job', operation: 'review', jobId: '5', rate: 6 });
		expect(review.error?.message).toMatch(/Rating must be a whole number from 1 to 5 \(got 6\)/);
		const get = await env.run({ resource: 'job', operation: 'get', jobId: 'abc' });
		expect(get.error?.message).toMatch(/Job ID must be a positive whole number \(got "abc"\)/);
		const update = await env.run({ resource: 'job', operation: 'update', jobId: '5', updateFields: {} });
		expect(update.error?.message).toMatch(/Nothing to update/);
		expect(await env.requests()).toEqual([]);
	});

	it('with continue-on-fail: bad items become error items with field errors, good ones go through', async () => {
		const result = await env.run(
			createParameters({ duration: '={{ $json.minutes }}' }),
			[{ minutes: 60 }, { minutes: -5 }, { minutes: 90 }],
			{ onError: 'continueRegularOutput' },
		);
		expect(result.error).toBeUndefined();
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].json.jobId).toEqual(expect.any(Number));
		expect(result.items[1].json).toEqual({
			error: expect.stringMatching(/^Cannot create the job \(item 1\): Duration/),
			details: {
				description: expect.stringContaining('Nothing was sent to G2 Sentry'),
				fieldErrors: [{ fieldName: 'duration', message: expect.any(String) }],
				itemIndex: 1,
			},
		});
		expect(result.items[2].json.duration).toBe(90);
	});
});

describe('API errors', () => {
	it("lists a 400's per-field errors (a rule only the API checks)", async () => {
		const result = await env.run(createParameters({ additionalFields: { clientPhone: 'call me' } }));
		const error = result.error as NodeApiError;
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('400');
		expect(error.message).toMatch(/^G2 Sentry rejected the request: client\.clientPhone: /);
		expect(error.description).toMatch(/\[VALIDATION_ERROR\]/);
		expect(error.context.fieldErrors).toEqual([{ fieldName: 'client.clientPhone', message: expect.any(String) }]);
		expect(error.context.itemIndex).toBe(0);
	});

	it('says "not found or not yours" for an unknown job and for another partner\'s job', async () => {
		const unknown = await env.run({ resource: 'job', operation: 'get', jobId: '999999' });
		expect(unknown.error?.message).toBe('Job 999999 was not found, or it belongs to another partner account');
		expect((unknown.error as NodeApiError).httpCode).toBe('404');

		const other = await env.run(createParameters(), undefined, {
			credentials: freshCredentials(env.sandbox, env.sandbox.otherPartner),
		});
		const theirs = other.items[0].json.jobId as number;
		const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(theirs) });
		expect(result.error?.message).toBe(`Job ${theirs} was not found, or it belongs to another partner account`);
		expect((await env.control('GET', `/jobs/${theirs}`)).status).toBe('New');
	});

	it('explains the cut-off on a 422, for cancel and for update', async () => {
		const jobId = await createJob(env);
		await env.control('POST', `/jobs/${jobId}/inside-cut-off`);
		const cancel = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) });
		expect(cancel.error?.message).toBe(`Too late to change job ${jobId}: the 2-hour cut-off before the scheduled start has passed`);
		expect((cancel.error as NodeApiError).context.code).toBe('CUT_OFF_EXCEEDED');
		const update = await env.run({ resource: 'job', operation: 'update', jobId: String(jobId), updateFields: { duration: 60 } });
		expect(update.error?.message).toMatch(/^Too late to change job/);
		expect((await env.control('GET', `/jobs/${jobId}`)).status).toBe('New');
	});

	it('passes on other 422s in the vendor\'s words (review before completion)', async () => {
		const jobId = await createJob(env);
		const result = await env.run({ resource: 'job', operation: 'review', jobId: String(jobId), rate: 5 });
		const error = result.error as NodeApiError;
		expect(error.httpCode).toBe('422');
		expect(error.message).toMatch(new RegExp(`^G2 Sentry refused to change job ${jobId}: .+`));
	});

	it('reports a Guardian profile that is not available yet as not found', async () => {
		const jobId = await createJob(env);
		const result = await env.run({ resource: 'guardian', operation: 'getProfile', jobId: String(jobId), guardianId: '1' });
		expect(result.error?.message).toBe(`The Guardian profile for job ${jobId} was not found, or it belongs to another partner account`);
		expect((result.error as NodeApiError).description).toMatch(/only available once the job is Assigned/);
	});

	it('explains a wrong secret once, without sending the request or a second login', async () => {
		env.credentials.patch(CREDENTIAL_TYPE, { partnerSecret: 'wrong-secret' });
		const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '1001' });
		expect(result.error?.message).toMatch(/did not accept the partner key and secret/);
		expect(result.error?.message).not.toContain('wrong-secret');
		expect((await env.requests()).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /api/v1/access/login 401']);
	});

	it.each(['continueRegularOutput', 'continueErrorOutput'] as const)(
		'%s: every operation turns its API error into an item paired with its input',
		async (onError) => {
			const ops = [
				{ operation: 'get' },
				{ operation: 'getStatus' },
				{ operation: 'cancel' },
				{ operation: 'update', updateFields: { duration: 30 } },
				{ operation: 'review', rate: 3 },
			];
			for (const op of ops) {
				const result = await env.run({ resource: 'job', jobId: '424242', ...op }, [{ a: 1 }, { a: 2 }], { onError });
				expect(result.error).toBeUndefined();
				const failed = onError === 'continueErrorOutput' ? result.errorItems : result.items;
				expect(failed.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
				expect(failed[0].json).toMatchObject({
					error: 'Job 424242 was not found, or it belongs to another partner account',
					details: { httpCode: '404', code: 'NOT_FOUND', itemIndex: 0 },
				});
				expect(failed[1].json).toMatchObject({ details: { itemIndex: 1 } });
				if (onError === 'continueErrorOutput') expect(result.items).toEqual([]);
			}
			const profile = await env.run({ resource: 'guardian', operation: 'getProfile', jobId: '424242', guardianId: '7' }, [{}], { onError });
			const failed = onError === 'continueErrorOutput' ? profile.errorItems : profile.items;
			expect(failed[0]).toMatchObject({ json: { details: { httpCode: '404' } }, pairedItem: { item: 0 } });

			const create = await env.run(createParameters({ duration: 0 }), [{}], { onError });
			const createFailed = onError === 'continueErrorOutput' ? create.errorItems : create.items;
			expect(createFailed[0]).toMatchObject({ json: { details: { fieldErrors: [{ fieldName: 'duration' }] } }, pairedItem: { item: 0 } });
		},
	);
});

it('keeps the start time check relative to now (a job 3 hours ahead is fine)', async () => {
	const result = await env.run(createParameters({ whenDate: hoursFromNow(3) }));
	expect(result.error).toBeUndefined();
});

/**
 * Odd inputs, as expressions and upstream data really produce them, through n8n-core against the
 * sandbox: numbers as text, text as numbers, ids that only look numeric, huge and empty values,
 * no items and many items. Each either reaches G2 Sentry in the API's types or fails its own
 * item with a message naming the field — and nothing else is lost.
 */
import { createJob, createParameters, useSandbox } from '../../../lab/helpers/action-setup';

const env = useSandbox();

const apiRequests = async () => (await env.requests()).filter((r) => !r.path.includes('/access/'));

it('sends numbers and text given the other way round in the types the API wants', async () => {
	const result = await env.run(
		createParameters({
			duration: '={{ $json.minutes }}',
			location: {
				address: { address1: '12 Main St', city: 'New York', state: 'NY', zip: '={{ $json.zip }}' },
				gps: { latitude: '={{ $json.lat }}', longitude: '={{ $json.long }}' },
			},
			additionalFields: { clientId: '={{ $json.crmId }}' },
		}),
		[{ minutes: ' 90 ', zip: 10001, lat: '40.7128', long: '-74.006', crmId: 77 }],
	);
	expect(result.error).toBeUndefined();
	const stored = await env.control('GET', `/jobs/${result.items[0].json.jobId}`);
	expect(stored.job).toMatchObject({
		duration: 90,
		location: { address: { zip: '10001' }, gps: { latitude: 40.7128, longitude: -74.006 } },
		client: { clientId: '77' },
	});
	expect(result.items[0].json).toMatchObject({ duration: 90, location: { gps: { latitude: 40.7128 } } });
});

it('takes a rating given as text', async () => {
	const jobId = await createJob(env);
	for (const to of ['Assigned', 'InProgress', 'Completed']) await env.control('POST', `/jobs/${jobId}/transition`, { to });
	const result = await env.run({ resource: 'job', operation: 'review', jobId: String(jobId), rate: '={{ "4" }}' });
	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toMatchObject({ jobId, rate: 4 });
	expect((await env.control('GET', `/jobs/${jobId}`)).review).toMatchObject({ rate: 4 });
});

it.each([
	['hexadecimal', '0x10'],
	['exponent', '1e3'],
	['trailing letters', '12abc'],
	['fraction', '12.5'],
	['zero', '0'],
	['negative', '={{ -3 }}'],
	['too large', '={{ 1e21 }}'],
	['object', '={{ { id: 5 } }}'],
])('refuses a job id that only looks numeric (%s) without any request', async (_, jobId) => {
	const result = await env.run({ resource: 'job', operation: 'get', jobId });
	expect(result.error?.message).toMatch(/^Cannot get the job \(item 0\): Job ID must be a positive whole number \(got .+\)$/);
	expect(await env.requests()).toEqual([]);
});

it.each([
	['NaN duration', { duration: '={{ NaN }}' }, /Duration \(Minutes\) must be a positive whole number of minutes \(got NaN\)/],
	['fractional duration', { duration: 1.5 }, /Duration \(Minutes\) .*\(got 1\.5\)/],
	['duration as words', { duration: '={{ "two hours" }}' }, /Duration \(Minutes\) .*\(got "two hours"\)/],
	['latitude out of range', { location: { gps: { latitude: '={{ "91" }}', longitude: 0 } } }, /Latitude must be a number between -90 and 90 \(got 91\)/],
	['name only spaces', { name: '   ' }, /Name is required/],
	['name as object', { name: '={{ { a: 1 } }}' }, /Name must be text \(got \{"a":1\}\)/],
	['start without any date', { whenDate: '={{ null }}' }, /Scheduled Start is required/],
	['start as a US date', { whenDate: '05/01/2030 2pm' }, /Scheduled Start must be a date and time/],
	['description as object', { additionalFields: { description: '={{ { a: 1 } }}' } }, /Description must be text/],
])('refuses %s, naming the field, without any request', async (_, overrides, message) => {
	const result = await env.run(createParameters(overrides));
	expect(result.error?.message).toMatch(message);
	expect(result.error?.message).toMatch(/^Cannot create the job \(item 0\)/);
	expect(await env.requests()).toEqual([]);
});

it('quotes a huge value only in part', async () => {
	const result = await env.run(createParameters({ whenDate: '={{ $json.when }}' }), [{ when: 'y'.repeat(200_000) }]);
	expect(result.error?.message).toMatch(/\(200000 characters\)\)$/);
	expect(result.error!.message.length).toBeLessThan(300);
	expect(result.error!.description!.length).toBeLessThan(400);
});

it('refuses an update whose Location was added but left empty', async () => {
	const result = await env.run({ resource: 'job', operation: 'update', jobId: '7', updateFields: { location: {}, duration: 30 } });
	expect(result.error?.message).toBe('Cannot update the job (item 0): Location needs an address, GPS coordinates, or both');
	expect(await env.requests()).toEqual([]);
});

it('does nothing, not even a login, for an empty list of items', async () => {
	const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '={{ $json.id }}' }, []);
	expect(result.error).toBeUndefined();
	expect(result.items).toEqual([]);
	expect(await env.requests()).toEqual([]);
});

it('keeps every item of a long mixed run, each paired with its input', async () => {
	const jobId = await createJob(env);
	const ids = Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? `${jobId}x` : jobId));
	const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '={{ $json.id }}' }, ids.map((id) => ({ id })), {
		onError: 'continueErrorOutput',
	});
	expect(result.error).toBeUndefined();
	expect(result.items.map((i) => (i.pairedItem as { item: number }).item)).toEqual(ids.flatMap((_, i) => (i % 4 === 3 ? [] : [i])));
	expect(result.items.every((i) => i.json.status === 'New' && i.json.jobId === jobId)).toBe(true);
	expect(result.errorItems.map((i) => [(i.pairedItem as { item: number }).item, i.json.details])).toEqual(
		ids.flatMap((_, i) => (i % 4 === 3 ? [[i, expect.objectContaining({ itemIndex: i, fieldErrors: [expect.objectContaining({ fieldName: 'jobId' })] })]] : [])),
	);
	expect((await apiRequests()).filter((r) => r.path.endsWith('/status'))).toHaveLength(30);
}, 20_000);

/**
 * Every field of a full create body, in turn given a value of the wrong type or null: the 400 names
 * exactly that field, and nothing is created. Generated from the body itself, so a field added to
 * the sample is swept too.
 */
import { control, hoursFromNow } from '../../../lab/helpers/sandboxClient';
import { useSandboxSession } from '../../../lab/helpers/sandboxFixture';

const FULL_JOB = {
	name: 'Open House 23 Main St',
	whenDate: hoursFromNow(48),
	duration: 120,
	description: 'Side door',
	location: {
		address: { address1: '234 Main St', address2: 'APT 673', city: 'Long Beach', state: 'CA', zip: '92345' },
		gps: { latitude: 40.7, longitude: -74.1 },
	},
	client: { clientId: 'c-1', clientInfo: 'VIP', clientPhone: '1234567890' },
};
/** Fields a create may leave out (address or gps: one of them): null there means "not given". */
const OPTIONAL = new Set(['location.address', 'location.gps', 'description', 'location.address.address2', 'client', 'client.clientId', 'client.clientInfo', 'client.clientPhone']);

/** [dotted path, sample value] of every field and group in the body. */
function fields(value: Record<string, unknown>, prefix = ''): [string, unknown][] {
	return Object.entries(value).flatMap(([key, v]) => {
		const path = prefix + key;
		const inner = typeof v === 'object' && v !== null ? fields(v as Record<string, unknown>, `${path}.`) : [];
		return [[path, v] as [string, unknown], ...inner];
	});
}

function withValue(path: string, value: unknown): Record<string, unknown> {
	const body = structuredClone(FULL_JOB) as Record<string, any>;
	const keys = path.split('.');
	const last = keys.pop()!;
	keys.reduce((node, key) => node[key], body)[last] = value;
	return body;
}

function wrongTypes(sample: unknown): unknown[] {
	if (typeof sample === 'string') return [42, true, [], {}];
	if (typeof sample === 'number') return [String(sample), true, [], {}];
	return ['text', 7, [], true];
}

const CASES = fields(FULL_JOB).flatMap(([path, sample]) => wrongTypes(sample).map((wrong) => [path, JSON.stringify(wrong), wrong] as const));
// a group (location) whose only part is wrong also misses "address or gps": both are named
const wrongGroupOnlyPart = (path: string, wrong: unknown) =>
	(path === 'location.address' || path === 'location.gps') && !(typeof wrong === 'object' && wrong !== null && !Array.isArray(wrong));

describe('sandbox create: a wrong type or null at every field', () => {
	const f = useSandboxSession({ rateLimitPerMinute: 100_000 }, 'all');

	it('accepts the full sample body (so every refusal below is about the one changed field)', async () => {
		const created = await f.session.api('POST', '/jobs', FULL_JOB);
		expect(created.status).toBe(201);
		const record = await f.session.api('GET', `/jobs/${created.body.jobId}`);
		expect(record.body.job).toEqual(FULL_JOB);
	});

	it.each(CASES)('%s = %s → 400 naming it', async (path, _shown, wrong) => {
		const before = (await control(f.sandbox, 'GET', '/jobs')).body.length;
		const res = await f.session.api('POST', '/jobs', withValue(path, wrong));
		expect(res.status).toBe(400);
		expect(res.body.code).toBe('VALIDATION_ERROR');
		const named = res.body.errors.map((e: { fieldName: string }) => e.fieldName);
		expect(named).toContain(path);
		if (!wrongGroupOnlyPart(path, wrong)) expect(named).toEqual([path]);
		expect((await control(f.sandbox, 'GET', '/jobs')).body.length).toBe(before);
	});

	it.each(fields(FULL_JOB).map(([path]) => [path]))('%s = null: required fields are named, optional ones count as not given', async (path) => {
		const res = await f.session.api('POST', '/jobs', withValue(path, null));
		if (OPTIONAL.has(path)) {
			expect(res.status).toBe(201);
			const { job } = (await f.session.api('GET', `/jobs/${res.body.jobId}`)).body;
			const keys = path.split('.');
			const parent = keys.slice(0, -1).reduce((node: any, key) => node[key], job);
			expect(Object.keys(parent)).not.toContain(keys.at(-1));
		} else {
			expect(res.status).toBe(400);
			expect(res.body.errors.map((e: { fieldName: string }) => e.fieldName)).toContain(path);
		}
	});

	it('refuses null for a field sent on update, instead of answering SUCCESS and changing nothing', async () => {
		const jobId = await f.session.createJob({ description: 'keep me' });
		for (const field of ['description', 'clientId', 'clientInfo', 'clientPhone', 'name', 'duration']) {
			const res = await f.session.api('PATCH', `/jobs/${jobId}`, { [field]: null });
			expect([field, res.status, res.body.errors]).toEqual([field, 400, [{ fieldName: field, message: expect.stringMatching(/null/) }]]);
		}
		expect((await f.session.api('GET', `/jobs/${jobId}`)).body.job.description).toBe('keep me');
	});
});

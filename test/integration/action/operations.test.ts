/** Every operation of the action node, executed through n8n-core against the sandbox. */
import { createJob, createParameters, hoursFromNow, useSandbox } from '../../../lab/helpers/action-setup';

const env = useSandbox();

const rawJob = (jobId: number) => env.control('GET', `/jobs/${jobId}`);
const transition = (jobId: number, ...steps: string[]) =>
	steps.reduce<Promise<unknown>>(
		(previous, to) => previous.then(() => env.control('POST', `/jobs/${jobId}/transition`, { to })),
		Promise.resolve(),
	);

describe('job → create', () => {
	it('sends every field of the contract, client nested, and outputs a typed item', async () => {
		const whenDate = hoursFromNow(30);
		const result = await env.run(
			createParameters({
				whenDate,
				duration: 90,
				location: {
					address: { address1: '12 Main St', address2: 'Apt 4B', city: 'New York', state: 'NY', zip: '10001-1234' },
					gps: { latitude: 40.7128, longitude: -74.006 },
				},
				additionalFields: {
					description: 'Gate code 1234',
					clientId: 'crm-77',
					clientInfo: 'Seller: J. Doe',
					clientPhone: '+12125550123',
				},
			}),
		);
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toEqual({
			jobId: expect.any(Number),
			status: 'New',
			name: 'Open house 12 Main St',
			whenDate: new Date(whenDate).toISOString(),
			duration: 90,
			description: 'Gate code 1234',
			location: {
				address: { address1: '12 Main St', address2: 'Apt 4B', city: 'New York', state: 'NY', zip: '10001-1234' },
				gps: { latitude: 40.7128, longitude: -74.006 },
			},
			client: { clientId: 'crm-77', clientInfo: 'Seller: J. Doe', clientPhone: '+12125550123' },
		});

		const stored = await rawJob(item.json.jobId as number);
		expect(stored.status).toBe('New');
		expect(stored.job).toMatchObject({
			name: 'Open house 12 Main St',
			duration: 90,
			client: { clientId: 'crm-77', clientInfo: 'Seller: J. Doe', clientPhone: '+12125550123' },
			location: { gps: { latitude: 40.7128, longitude: -74.006 } },
		});
	});

	it('accepts both documented create answers: { jobId } and { jobId, status }', async () => {
		await env.control('POST', '/config', { variants: { createResponseIncludesStatus: true } });
		const withStatus = await env.run(createParameters());
		await env.control('POST', '/config', { variants: { createResponseIncludesStatus: false } });
		const without = await env.run(createParameters());
		for (const result of [withStatus, without]) {
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({ jobId: expect.any(Number), status: 'New' });
		}
	});

	it("reads a start time without zone in the workflow's time zone", async () => {
		const local = new Date(Date.now() + 72 * 3_600_000).toISOString().slice(0, 16); // yyyy-mm-ddThh:mm, UTC wall time
		const result = await env.run(createParameters({ whenDate: local }), undefined, { timezone: 'America/New_York' });
		expect(result.error).toBeUndefined();
		const sent = Date.parse(result.items[0].json.whenDate as string);
		const asUtc = Date.parse(`${local}:00Z`);
		// New York is 4 or 5 hours behind UTC: the same wall time is that much later in UTC
		expect([4, 5]).toContain((sent - asUtc) / 3_600_000);
	});

	it('creates one job per item, each paired with its item, with one login for all', async () => {
		const result = await env.run(createParameters({ name: '={{ $json.title }}' }), [
			{ title: 'First' },
			{ title: 'Second' },
			{ title: 'Third' },
		]);
		expect(result.items.map((i) => [i.json.name, i.pairedItem])).toEqual([
			['First', { item: 0 }],
			['Second', { item: 1 }],
			['Third', { item: 2 }],
		]);
		expect(new Set(result.items.map((i) => i.json.jobId)).size).toBe(3);
		const requests = await env.requests();
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
			'POST /api/v1/access/login',
			'POST /api/v1/jobs',
			'POST /api/v1/jobs',
			'POST /api/v1/jobs',
		]);
	});

	it('reuses the stored token in the next execution instead of logging in again', async () => {
		await createJob(env);
		await createJob(env);
		const logins = (await env.requests()).filter((r) => r.path.endsWith('/access/login'));
		expect(logins).toHaveLength(1);
		expect(env.credentials.preAuthCalls).toHaveLength(1);
	});
});

describe('job → get / getStatus', () => {
	it('reads a new job with no Guardian, then the assigned Guardian', async () => {
		const jobId = await createJob(env);
		const before = await env.run({ resource: 'job', operation: 'get', jobId: String(jobId) });
		expect(before.items[0].json).toMatchObject({ jobId, status: 'New', guardian: null, duration: 120 });
		expect(typeof before.items[0].json.whenDate).toBe('string');

		await transition(jobId, 'Assigned');
		const after = await env.run({ resource: 'job', operation: 'get', jobId: String(jobId) });
		const guardian = after.items[0].json.guardian as Record<string, unknown>;
		expect(after.items[0].json.status).toBe('Assigned');
		expect(guardian).toMatchObject({ guardianId: expect.any(Number), firstName: expect.any(String), lastName: expect.any(String) });
	});

	it('reads the status, with the job id from the input item', async () => {
		const jobId = await createJob(env);
		await transition(jobId, 'Assigned', 'InProgress');
		const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '={{ $json.id }}' }, [{ id: jobId }]);
		expect(result.items[0].json).toEqual({ jobId, status: 'InProgress' });
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
	});
});

describe('job → update', () => {
	it('sends only the fields given, client fields flat', async () => {
		const jobId = await createJob(env);
		const result = await env.run({
			resource: 'job',
			operation: 'update',
			jobId: String(jobId),
			updateFields: { duration: 240, clientPhone: '+12125550999', description: 'Use side door' },
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({
			jobId,
			updated: ['duration', 'description', 'clientPhone'],
			code: 'SUCCESS',
		});
		const stored = await rawJob(jobId);
		expect(stored.job).toMatchObject({ name: 'Open house 12 Main St', duration: 240, description: 'Use side door' });
		expect(stored.job.client).toMatchObject({ clientPhone: '+12125550999' });
	});

	it('replaces the location and moves the start', async () => {
		const jobId = await createJob(env);
		const whenDate = hoursFromNow(50);
		await env.run({
			resource: 'job',
			operation: 'update',
			jobId: String(jobId),
			updateFields: { whenDate, location: { gps: { latitude: 34.05, longitude: -118.24 } } },
		});
		const stored = await rawJob(jobId);
		expect(stored.job.location).toEqual({ gps: { latitude: 34.05, longitude: -118.24 } });
		expect(Date.parse(stored.job.whenDate)).toBe(Date.parse(whenDate));
	});
});

describe('job → cancel', () => {
	it('cancels with GET /cancel and outputs the new status', async () => {
		const jobId = await createJob(env);
		const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) });
		expect(result.items[0].json).toMatchObject({ jobId, status: 'Canceled', code: 'SUCCESS' });
		expect((await rawJob(jobId)).status).toBe('Canceled');
		expect((await env.requests()).map((r) => `${r.method} ${r.path}`)).toContain(`GET /api/v1/jobs/${jobId}/cancel`);
	});
});

describe('job → review', () => {
	it('rates a completed job', async () => {
		const jobId = await createJob(env);
		await transition(jobId, 'Assigned', 'InProgress', 'Completed');
		const result = await env.run({ resource: 'job', operation: 'review', jobId: String(jobId), rate: 4, review: 'On time, professional' });
		expect(result.items[0].json).toMatchObject({ jobId, rate: 4, review: 'On time, professional', code: 'SUCCESS' });
		expect((await rawJob(jobId)).review).toMatchObject({ rate: 4, review: 'On time, professional' });
	});
});

describe('guardian → getProfile', () => {
	it("works straight from a Get output, with the parameters' defaults", async () => {
		const jobId = await createJob(env);
		await transition(jobId, 'Assigned');
		const job = await env.run({ resource: 'job', operation: 'get', jobId: String(jobId) });
		const profile = await env.run({ resource: 'guardian', operation: 'getProfile' }, [job.items[0]]);
		expect(profile.error).toBeUndefined();
		const guardian = job.items[0].json.guardian as Record<string, unknown>;
		expect(profile.items[0].json).toEqual({
			jobId,
			guardianId: guardian.guardianId,
			firstName: guardian.firstName,
			lastName: guardian.lastName,
			bio: expect.any(String),
			avatarUrl: expect.stringMatching(/^https?:\/\//),
			fetchedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
		});
	});
});

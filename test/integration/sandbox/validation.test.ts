import { hoursFromNow, validJob } from '../../../lab/helpers/sandboxClient';
import { useSandboxSession } from '../../../lab/helpers/sandboxFixture';

/** Each case: a create body and the fieldName(s) the 400 must name. */
const address = { address1: '1 Main St', city: 'Albany', state: 'NY', zip: '12207' };
const CREATE_CASES: [string, Record<string, unknown>, string[]][] = [
	['missing name', { name: undefined }, ['name']],
	['empty name', { name: '   ' }, ['name']],
	['name over 255 chars', { name: 'x'.repeat(256) }, ['name']],
	['name not a string', { name: 42 }, ['name']],
	['missing whenDate', { whenDate: undefined }, ['whenDate']],
	['whenDate not a date', { whenDate: 'tomorrow' }, ['whenDate']],
	['whenDate without a time zone', { whenDate: '2031-05-01T14:00:00' }, ['whenDate']],
	['whenDate impossible day', { whenDate: '2031-02-30T14:00:00Z' }, ['whenDate']],
	['whenDate as a number', { whenDate: Date.now() + 86_400_000 }, ['whenDate']],
	['whenDate in the past', { whenDate: '2020-01-01T00:00:00Z' }, ['whenDate']],
	['whenDate inside the 2 h cut-off', { whenDate: hoursFromNow(1) }, ['whenDate']],
	['missing duration', { duration: undefined }, ['duration']],
	['duration zero', { duration: 0 }, ['duration']],
	['duration fractional', { duration: 1.5 }, ['duration']],
	['duration as text', { duration: '60' }, ['duration']],
	['missing location', { location: undefined }, ['location']],
	['location without address or gps', { location: {} }, ['location']],
	['location as text', { location: 'Main St' }, ['location']],
	['address missing address1', { location: { address: { ...address, address1: undefined } } }, ['location.address.address1']],
	['address missing city', { location: { address: { ...address, city: '' } } }, ['location.address.city']],
	['state lowercase', { location: { address: { ...address, state: 'ny' } } }, ['location.address.state']],
	['state three letters', { location: { address: { ...address, state: 'NYC' } } }, ['location.address.state']],
	['zip 4 digits', { location: { address: { ...address, zip: '1220' } } }, ['location.address.zip']],
	['zip letters', { location: { address: { ...address, zip: 'ABCDE' } } }, ['location.address.zip']],
	['zip as number', { location: { address: { ...address, zip: 12207 } } }, ['location.address.zip']],
	['address2 as number', { location: { address: { ...address, address2: 7 } } }, ['location.address.address2']],
	['latitude out of range', { location: { gps: { latitude: 91, longitude: 0 } } }, ['location.gps.latitude']],
	['longitude missing', { location: { gps: { latitude: 1 } } }, ['location.gps.longitude']],
	['latitude as text', { location: { gps: { latitude: '40.7', longitude: 0 } } }, ['location.gps.latitude']],
	['description as object', { description: { text: 'x' } }, ['description']],
	['client as text', { client: 'bob' }, ['client']],
	['clientPhone too short', { client: { clientPhone: '123' } }, ['client.clientPhone']],
	['clientPhone with letters', { client: { clientPhone: '555-CALL-NOW' } }, ['client.clientPhone']],
	['clientId as number', { client: { clientId: 7 } }, ['client.clientId']],
	['several problems at once', { name: '', duration: -1, location: { address: { ...address, state: 'new york', zip: '1' } } }, ['name', 'duration', 'location.address.state', 'location.address.zip']],
];

const UPDATE_CASES: [string, unknown, string[]][] = [
	['empty object', {}, ['body']],
	['only unknown fields', { colour: 'red' }, ['body']],
	['nested client', { client: { clientId: 'x' }, name: 'ok' }, ['client']],
	['name too long', { name: 'y'.repeat(256) }, ['name']],
	['whenDate inside the cut-off', { whenDate: hoursFromNow(1.5) }, ['whenDate']],
	['duration negative', { duration: -5 }, ['duration']],
	['location without parts', { location: {} }, ['location']],
	['clientPhone as number', { clientPhone: 5550100 }, ['clientPhone']],
	['array body', [{ name: 'x' }], ['body']],
];

describe('sandbox request validation (400 with errors[])', () => {
	const f = useSandboxSession({ rateLimitPerMinute: 100_000 }, 'all');
	let jobId: number;
	beforeAll(async () => {
		jobId = await f.session.createJob();
	});

	it.each(CREATE_CASES)('create refuses %s', async (_name, overrides, fields) => {
		const res = await f.session.api('POST', '/jobs', validJob(overrides));
		expect(res.status).toBe(400);
		expect(res.body).toEqual({ code: 'VALIDATION_ERROR', message: expect.any(String), errors: expect.any(Array) });
		const named = res.body.errors.map((e: { fieldName: string }) => e.fieldName);
		expect(named.sort()).toEqual([...fields].sort());
		for (const e of res.body.errors) expect(e.message).toEqual(expect.any(String));
	});

	it.each(UPDATE_CASES)('update refuses %s', async (_name, body, fields) => {
		const res = await f.session.api('PATCH', `/jobs/${jobId}`, body);
		expect(res.status).toBe(400);
		expect(res.body.code).toBe('VALIDATION_ERROR');
		expect(res.body.errors.map((e: { fieldName: string }) => e.fieldName).sort()).toEqual([...fields].sort());
	});

	it('accepts boundary values: 255-char name, 9-digit zip, ±90/±180, whenDate with an offset', async () => {
		const body = validJob({
			name: 'n'.repeat(255),
			whenDate: new Date(Date.now() + 5 * 3600_000).toISOString().replace('Z', '+00:00'),
			location: { address: { ...address, zip: '122071234' }, gps: { latitude: -90, longitude: 180 } },
			duration: 1,
		});
		expect((await f.session.api('POST', '/jobs', body)).status).toBe(201);
	});

	it('stores the whenDate normalised to UTC and ignores unknown fields', async () => {
		const id = await f.session.createJob({ whenDate: '2031-05-01T16:00:00+02:00', colour: 'red' });
		const { body } = await f.session.api('GET', `/jobs/${id}`);
		expect(body.job.whenDate).toBe('2031-05-01T14:00:00Z');
		expect(body.job.colour).toBeUndefined();
	});
});

import { CUT_OFF_MS } from '../../nodes/shared/contract';
import { toUtcIso } from '../../nodes/G2Sentry/dates';
import { checkId, checkJobCreate, checkJobUpdate, checkReview } from '../../nodes/G2Sentry/validation';
import { parseId, shown, SHOWN_VALUE_MAX } from '../../nodes/shared/values';

const NOW = Date.parse('2030-01-10T12:00:00Z');
const inThreeHours = new Date(NOW + 3 * 3_600_000).toISOString();

const validJob = () => ({
	name: 'Open house',
	whenDate: inThreeHours,
	duration: 120,
	location: { address: { address1: '12 Main St', city: 'New York', state: 'NY', zip: '10001' } },
});

const fields = (issues: Array<{ field: string }>) => issues.map((i) => i.field);

describe('checkJobCreate', () => {
	it('accepts a complete job with an address', () => {
		expect(checkJobCreate(validJob(), NOW)).toEqual([]);
	});

	it('accepts GPS instead of an address, and both together', () => {
		const gps = { latitude: 40.7, longitude: -74 };
		expect(checkJobCreate({ ...validJob(), location: { gps } }, NOW)).toEqual([]);
		expect(checkJobCreate({ ...validJob(), location: { ...validJob().location, gps } }, NOW)).toEqual([]);
	});

	it('refuses GPS 0, 0 (a GPS group left at its defaults) but not a single 0', () => {
		const issues = checkJobCreate({ ...validJob(), location: { gps: { latitude: 0, longitude: 0 } } }, NOW);
		expect(fields(issues)).toEqual(['location.gps']);
		expect(issues[0].message).toMatch(/GPS Coordinates is 0, 0/);
		expect(checkJobCreate({ ...validJob(), location: { gps: { latitude: 0, longitude: 9.5 } } }, NOW)).toEqual([]);
	});

	it('names every missing required field at once', () => {
		const issues = checkJobCreate({}, NOW);
		expect(fields(issues)).toEqual(['name', 'whenDate', 'duration', 'location']);
		expect(issues[0].message).toBe('Name is required');
		expect(issues[3].message).toMatch(/address, GPS coordinates, or both/);
	});

	it('allows a 255-character name and refuses 256', () => {
		expect(checkJobCreate({ ...validJob(), name: 'x'.repeat(255) }, NOW)).toEqual([]);
		const [issue] = checkJobCreate({ ...validJob(), name: 'x'.repeat(256) }, NOW);
		expect(issue.field).toBe('name');
		expect(issue.message).toMatch(/256 characters.*at most 255/);
	});

	it('enforces the 2-hour cut-off on the start, to the millisecond', () => {
		const exactly = new Date(NOW + CUT_OFF_MS).toISOString();
		const justInside = new Date(NOW + CUT_OFF_MS - 1).toISOString();
		expect(checkJobCreate({ ...validJob(), whenDate: exactly }, NOW)).toEqual([]);
		const [issue] = checkJobCreate({ ...validJob(), whenDate: justInside }, NOW);
		expect(issue.field).toBe('whenDate');
		expect(issue.message).toMatch(/Scheduled Start must be at least 2 hours from now/);
	});

	it.each(['tomorrow', '2030-13-01T10:00:00Z', '10/01/2030', '2030-01-10', '2031-02-31T10:00:00Z', '2031-04-31T10:00:00+02:00'])('refuses a start that is not an ISO instant: %s', (whenDate) => {
		expect(fields(checkJobCreate({ ...validJob(), whenDate }, NOW))).toEqual(['whenDate']);
	});

	it.each([0, -30, 1.5, Number.NaN])('refuses a duration of %p', (duration) => {
		expect(fields(checkJobCreate({ ...validJob(), duration }, NOW))).toEqual(['duration']);
	});

	it.each([
		['state', 'ny'],
		['state', 'NYC'],
		['zip', '1234'],
		['zip', '123456'],
		['zip', 'ABCDE'],
	])('refuses address.%s = %p', (key, value) => {
		const job = validJob();
		(job.location.address as Record<string, string>)[key] = value;
		expect(fields(checkJobCreate(job, NOW))).toEqual([`location.address.${key}`]);
	});

	it.each(['10001', '100011234', '10001-1234'])('accepts the ZIP %p', (zip) => {
		const job = validJob();
		job.location.address.zip = zip;
		expect(checkJobCreate(job, NOW)).toEqual([]);
	});

	it('requires the parts of an address that are given and checks GPS ranges', () => {
		const issues = checkJobCreate(
			{ ...validJob(), location: { address: { address1: '', city: 'X', state: 'NY', zip: '10001' }, gps: { latitude: 91, longitude: 0 } } },
			NOW,
		);
		expect(fields(issues)).toEqual(['location.address.address1', 'location.gps.latitude']);
	});
});

describe('checkJobUpdate', () => {
	it('refuses an update with nothing in it', () => {
		expect(fields(checkJobUpdate({}, NOW))).toEqual(['updateFields']);
	});

	it('checks only the fields given', () => {
		expect(checkJobUpdate({ description: 'gate code 1234' }, NOW)).toEqual([]);
		expect(checkJobUpdate({ clientPhone: '+12125550123' }, NOW)).toEqual([]);
		expect(fields(checkJobUpdate({ duration: 0, name: '' }, NOW))).toEqual(['name', 'duration']);
		expect(fields(checkJobUpdate({ whenDate: new Date(NOW + 60_000).toISOString() }, NOW))).toEqual(['whenDate']);
	});

	it('names a Location that was added but left empty instead of dropping it', () => {
		const [issue] = checkJobUpdate({ location: {}, duration: 30 }, NOW);
		expect(issue).toEqual({ field: 'location', message: 'Location needs an address, GPS coordinates, or both' });
	});

	it('refuses free-text fields that are not text (flat client fields here)', () => {
		const issues = checkJobUpdate({ clientId: { id: 7 } as unknown as string, description: ['a'] as unknown as string }, NOW);
		expect(issues.map((i) => i.message)).toEqual(['Description must be text (got ["a"])', 'Client ID must be text (got {"id":7})']);
	});
});

describe('free-text fields on create', () => {
	it('are checked under client.* and named as the node shows them', () => {
		const job = { ...validJob(), description: 42 as unknown as string, client: { clientPhone: true as unknown as string } };
		expect(checkJobCreate(job, NOW)).toEqual([
			{ field: 'description', message: 'Description must be text (got 42)' },
			{ field: 'client.clientPhone', message: 'Client Phone must be text (got true)' },
		]);
	});
});

describe('shown (a rejected value in a message)', () => {
	it('says NaN and Infinity rather than null', () => {
		expect(shown(Number.NaN)).toBe('NaN');
		expect(shown(-Infinity)).toBe('-Infinity');
		expect(fields(checkJobCreate({ ...validJob(), duration: Number.NaN }, NOW))).toEqual(['duration']);
		expect(checkJobCreate({ ...validJob(), duration: Number.NaN }, NOW)[0].message).toMatch(/\(got NaN\)$/);
	});

	it('cuts a huge value short and says how long it was', () => {
		const huge = 'x'.repeat(100_000);
		const [issue] = checkJobCreate({ ...validJob(), whenDate: huge }, NOW);
		expect(issue.message.length).toBeLessThan(200);
		expect(issue.message).toContain(`"${'x'.repeat(SHOWN_VALUE_MAX - 1)}… (100000 characters)`);
	});

	it('copes with values JSON cannot show', () => {
		const circular: Record<string, unknown> = {};
		circular.self = circular;
		expect(shown(circular)).toBe('[object Object]');
		expect(shown(undefined)).toBe('nothing');
		expect(shown(10n)).toBe('[object BigInt]');
	});
});

describe('checkReview', () => {
	it.each([1, 2, 3, 4, 5])('accepts a rating of %p', (rate) => expect(checkReview({ rate })).toEqual([]));
	it.each([0, 6, 4.5, undefined])('refuses a rating of %p', (rate) => {
		expect(fields(checkReview({ rate }))).toEqual(['rate']);
	});
});

describe('checkId', () => {
	it('accepts positive integers, also as text', () => {
		expect(checkId(9142, 'jobId')).toEqual([]);
		expect(checkId(' 9142 ', 'jobId')).toEqual([]);
	});
	it.each([0, -1, 1.5, 'abc', '', undefined, '12abc', '0x10', '1e3', '12.0', '-5', 1e21, Number.NaN, { id: 3 }, [4]])('refuses %p', (value) => {
		const [issue] = checkId(value, 'guardianId');
		expect(issue.field).toBe('guardianId');
		expect(issue.message).toMatch(/^Guardian ID/);
		expect(parseId(value)).toBeUndefined();
	});
	it('reads plain digits only, so "0x10" or "1e3" can never address job 16 or 1000', () => {
		expect(parseId('0016')).toBe(16);
		expect(parseId(' 9142\n')).toBe(9142);
		expect(parseId(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
		expect(parseId(String(Number.MAX_SAFE_INTEGER + 2))).toBeUndefined();
	});
});

describe('toUtcIso', () => {
	it('keeps instants with a zone, converted to UTC', () => {
		expect(toUtcIso('2030-05-01T14:00:00Z')).toBe('2030-05-01T14:00:00.000Z');
		expect(toUtcIso('2030-05-01T14:00:00+02:00')).toBe('2030-05-01T12:00:00.000Z');
		expect(toUtcIso('2030-05-01T14:00:00.250-0500')).toBe('2030-05-01T19:00:00.250Z');
	});

	it("reads a time without zone in the workflow's time zone, across daylight saving", () => {
		expect(toUtcIso('2030-07-01T14:00:00', 'America/New_York')).toBe('2030-07-01T18:00:00.000Z');
		expect(toUtcIso('2030-01-15T14:00:00', 'America/New_York')).toBe('2030-01-15T19:00:00.000Z');
		expect(toUtcIso('2030-01-15T14:00:00', 'Europe/Berlin')).toBe('2030-01-15T13:00:00.000Z');
		expect(toUtcIso('2030-01-15 14:00', 'UTC')).toBe('2030-01-15T14:00:00.000Z');
	});

	it('accepts Date and Luxon-like objects', () => {
		expect(toUtcIso(new Date('2030-05-01T14:00:00Z'))).toBe('2030-05-01T14:00:00.000Z');
		expect(toUtcIso({ toISO: () => '2030-05-01T16:00:00.000+02:00' })).toBe('2030-05-01T14:00:00.000Z');
	});

	it.each(['', 'soon', '2030-02-30T10:00:00Z', '2030-01-01T25:00:00Z', 42, null])('gives undefined for %p', (value) => {
		expect(toUtcIso(value)).toBeUndefined();
	});
});

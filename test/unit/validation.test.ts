import { CUT_OFF_MS } from '../../nodes/shared/contract';
import { checkId, checkJobCreate, checkJobUpdate, checkReview, toUtcIso } from '../../nodes/shared/validation';

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

	it.each(['tomorrow', '2030-13-01T10:00:00Z', '10/01/2030', '2030-01-10'])('refuses a start that is not an ISO instant: %s', (whenDate) => {
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
	it.each([0, -1, 1.5, 'abc', '', undefined])('refuses %p', (value) => {
		const [issue] = checkId(value, 'guardianId');
		expect(issue.field).toBe('guardianId');
		expect(issue.message).toMatch(/^Guardian ID/);
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

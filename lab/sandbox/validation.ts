/**
 * The sandbox's own reading of the request rules in partner-api.md. Deliberately independent of
 * nodes/G2Sentry/validation.ts: if both shared one implementation, a bug in it would hide from the
 * tests of both sides.
 */
import {
	CUT_OFF_MS,
	NAME_MAX_LENGTH,
	REVIEW_RATE_MAX,
	REVIEW_RATE_MIN,
	STATE_PATTERN,
	ZIP_PATTERN,
	type FieldError,
	type JobCreate,
	type JobUpdate,
	type Location,
} from '../../nodes/shared/contract';
import { isPlainObject } from './schema';

type Fields = Record<string, unknown>;

/** ISO-8601 date-time with an explicit zone (Z or ±hh:mm): a wall-clock time without one is ambiguous. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** 7 to 15 digits once spaces, dots, dashes and parentheses are set aside (E.164 allows 15). */
const PHONE_PATTERN = /^\+?[\d\s().-]+$/;

export function checkWhenDate(value: unknown, field: string, now: number, errors: FieldError[]): string | undefined {
	if (typeof value !== 'string') {
		errors.push({ fieldName: field, message: 'must be an ISO-8601 date-time string, e.g. 2030-05-01T14:00:00Z' });
		return undefined;
	}
	const m = ISO_INSTANT.exec(value);
	const time = Date.parse(value);
	if (!m || Number.isNaN(time) || !isRealCalendarDate(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0)) {
		errors.push({ fieldName: field, message: 'must be an ISO-8601 UTC date-time with a time zone, e.g. 2030-05-01T14:00:00Z' });
		return undefined;
	}
	if (time < now + CUT_OFF_MS) {
		errors.push({ fieldName: field, message: 'must be at least 2 hours in the future (the cut-off)' });
		return undefined;
	}
	return new Date(time).toISOString().replace('.000Z', 'Z');
}

function isRealCalendarDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
	const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
	return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

function checkString(
	body: Fields,
	key: string,
	field: string,
	errors: FieldError[],
	opts: { required?: boolean; max?: number } = {},
): string | undefined {
	const value = body[key];
	if (value === undefined || value === null) {
		if (opts.required) errors.push({ fieldName: field, message: 'is required' });
		return undefined;
	}
	if (typeof value !== 'string') {
		errors.push({ fieldName: field, message: 'must be a string' });
		return undefined;
	}
	if (opts.required && value.trim() === '') {
		errors.push({ fieldName: field, message: 'must not be empty' });
		return undefined;
	}
	if (opts.max !== undefined && value.length > opts.max) {
		errors.push({ fieldName: field, message: `must be at most ${opts.max} characters` });
		return undefined;
	}
	return value;
}

function checkDuration(value: unknown, errors: FieldError[]): number | undefined {
	if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
		errors.push({ fieldName: 'duration', message: 'must be a positive whole number of minutes' });
		return undefined;
	}
	return value;
}

function checkPhone(body: Fields, key: string, field: string, errors: FieldError[]): string | undefined {
	const value = checkString(body, key, field, errors);
	if (value === undefined) return undefined;
	const digits = value.replace(/\D/g, '').length;
	if (!PHONE_PATTERN.test(value) || digits < 7 || digits > 15) {
		errors.push({ fieldName: field, message: 'must be a phone number of 7 to 15 digits' });
		return undefined;
	}
	return value;
}

function checkCoordinate(gps: Fields, key: 'latitude' | 'longitude', limit: number, errors: FieldError[]): number | undefined {
	const value = gps[key];
	const field = `location.gps.${key}`;
	if (value === undefined || value === null) {
		errors.push({ fieldName: field, message: 'is required' });
		return undefined;
	}
	if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
		errors.push({ fieldName: field, message: `must be a number between -${limit} and ${limit}` });
		return undefined;
	}
	return value;
}

export function checkLocation(value: unknown, errors: FieldError[]): Location | undefined {
	if (value === undefined || value === null) {
		errors.push({ fieldName: 'location', message: 'is required' });
		return undefined;
	}
	if (!isPlainObject(value)) {
		errors.push({ fieldName: 'location', message: 'must be an object with address and/or gps' });
		return undefined;
	}
	const before = errors.length;
	const location: Location = {};
	const { address, gps } = value;
	if ((address === undefined || address === null) && (gps === undefined || gps === null)) {
		errors.push({ fieldName: 'location', message: 'needs an address, gps coordinates, or both' });
		return undefined;
	}
	if (address !== undefined && address !== null) {
		if (!isPlainObject(address)) errors.push({ fieldName: 'location.address', message: 'must be an object' });
		else {
			const address1 = checkString(address, 'address1', 'location.address.address1', errors, { required: true });
			const address2 = checkString(address, 'address2', 'location.address.address2', errors);
			const city = checkString(address, 'city', 'location.address.city', errors, { required: true });
			const state = checkString(address, 'state', 'location.address.state', errors, { required: true });
			if (state !== undefined && !STATE_PATTERN.test(state)) {
				errors.push({ fieldName: 'location.address.state', message: 'must be a 2-letter uppercase state code, e.g. NY' });
			}
			const zip = checkString(address, 'zip', 'location.address.zip', errors, { required: true });
			if (zip !== undefined && !ZIP_PATTERN.test(zip)) {
				errors.push({ fieldName: 'location.address.zip', message: 'must be 5 or 9 digits, e.g. 10001 or 10001-1234' });
			}
			location.address = { address1: address1!, city: city!, state: state!, zip: zip! };
			if (address2 !== undefined) location.address.address2 = address2;
		}
	}
	if (gps !== undefined && gps !== null) {
		if (!isPlainObject(gps)) errors.push({ fieldName: 'location.gps', message: 'must be an object' });
		else {
			const latitude = checkCoordinate(gps, 'latitude', 90, errors);
			const longitude = checkCoordinate(gps, 'longitude', 180, errors);
			location.gps = { latitude: latitude!, longitude: longitude! };
		}
	}
	return errors.length === before ? location : undefined;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

function notAnObject(): Checked<never> {
	return { ok: false, errors: [{ fieldName: 'body', message: 'must be a JSON object' }] };
}

export function checkJobCreate(body: unknown, now: number): Checked<JobCreate> {
	if (!isPlainObject(body)) return notAnObject();
	const errors: FieldError[] = [];
	const name = checkString(body, 'name', 'name', errors, { required: true, max: NAME_MAX_LENGTH });
	const whenDate = body.whenDate === undefined || body.whenDate === null
		? (errors.push({ fieldName: 'whenDate', message: 'is required' }), undefined)
		: checkWhenDate(body.whenDate, 'whenDate', now, errors);
	const duration = body.duration === undefined || body.duration === null
		? (errors.push({ fieldName: 'duration', message: 'is required' }), undefined)
		: checkDuration(body.duration, errors);
	const location = checkLocation(body.location, errors);
	const description = checkString(body, 'description', 'description', errors);
	let client: JobCreate['client'];
	if (body.client !== undefined && body.client !== null) {
		if (!isPlainObject(body.client)) errors.push({ fieldName: 'client', message: 'must be an object' });
		else {
			const clientId = checkString(body.client, 'clientId', 'client.clientId', errors);
			const clientInfo = checkString(body.client, 'clientInfo', 'client.clientInfo', errors);
			const clientPhone = checkPhone(body.client, 'clientPhone', 'client.clientPhone', errors);
			client = dropUndefined({ clientId, clientInfo, clientPhone });
		}
	}
	if (errors.length > 0) return { ok: false, errors };
	return { ok: true, value: dropUndefined({ name: name!, whenDate: whenDate!, duration: duration!, location: location!, description, client }) };
}

const UPDATE_FIELDS = ['name', 'location', 'whenDate', 'duration', 'description', 'clientId', 'clientInfo', 'clientPhone'];

export function checkJobUpdate(body: unknown, now: number): Checked<JobUpdate> {
	if (!isPlainObject(body)) return notAnObject();
	const errors: FieldError[] = [];
	if (body.client !== undefined) {
		// the classic mix-up: create nests client fields, update takes them flat
		errors.push({ fieldName: 'client', message: 'is not accepted on update: send clientId, clientInfo and clientPhone at the top level' });
	}
	if (!UPDATE_FIELDS.some((key) => body[key] !== undefined)) {
		errors.push({ fieldName: 'body', message: `needs at least one of ${UPDATE_FIELDS.join(', ')}` });
		return { ok: false, errors };
	}
	// null is not "leave as is" (the field was sent) nor a value: answering SUCCESS while ignoring it
	// would lose what the caller meant, so it is named
	for (const key of UPDATE_FIELDS) {
		if (body[key] === null) errors.push({ fieldName: key, message: 'must not be null: leave it out to keep the current value' });
	}
	if (errors.length > 0) return { ok: false, errors };
	const update: JobUpdate = {};
	if (body.name !== undefined) update.name = checkString(body, 'name', 'name', errors, { required: true, max: NAME_MAX_LENGTH });
	if (body.whenDate !== undefined) update.whenDate = checkWhenDate(body.whenDate, 'whenDate', now, errors);
	if (body.duration !== undefined) update.duration = checkDuration(body.duration, errors);
	if (body.location !== undefined) update.location = checkLocation(body.location, errors);
	if (body.description !== undefined) update.description = checkString(body, 'description', 'description', errors);
	if (body.clientId !== undefined) update.clientId = checkString(body, 'clientId', 'clientId', errors);
	if (body.clientInfo !== undefined) update.clientInfo = checkString(body, 'clientInfo', 'clientInfo', errors);
	if (body.clientPhone !== undefined) update.clientPhone = checkPhone(body, 'clientPhone', 'clientPhone', errors);
	if (errors.length > 0) return { ok: false, errors };
	return { ok: true, value: dropUndefined(update) };
}

export function checkReview(body: unknown): Checked<{ rate: number; review?: string }> {
	if (!isPlainObject(body)) return notAnObject();
	const errors: FieldError[] = [];
	const { rate } = body;
	if (rate === undefined || rate === null) errors.push({ fieldName: 'rate', message: 'is required' });
	else if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < REVIEW_RATE_MIN || rate > REVIEW_RATE_MAX) {
		errors.push({ fieldName: 'rate', message: `must be a whole number from ${REVIEW_RATE_MIN} to ${REVIEW_RATE_MAX}` });
	}
	const review = checkString(body, 'review', 'review', errors);
	if (errors.length > 0) return { ok: false, errors };
	return { ok: true, value: dropUndefined({ rate: rate as number, review }) };
}

export function checkLogin(body: unknown): Checked<{ partnerKey: string; partnerSecret: string }> {
	if (!isPlainObject(body)) return notAnObject();
	const errors: FieldError[] = [];
	const partnerKey = checkString(body, 'partnerKey', 'partnerKey', errors, { required: true });
	const partnerSecret = checkString(body, 'partnerSecret', 'partnerSecret', errors, { required: true });
	if (errors.length > 0) return { ok: false, errors };
	return { ok: true, value: { partnerKey: partnerKey!, partnerSecret: partnerSecret! } };
}

/**
 * Path ids are positive integers written in plain digits: "1e3", "0x10", "-1", "1.0" and "0" are a
 * 400 naming the segment (Number() would read the first two as 1000 and 16 and address another job).
 */
export function checkId(value: string, field: string): Checked<number> {
	const id = Number(value);
	if (!/^\d+$/.test(value) || !Number.isSafeInteger(id) || id <= 0) {
		return { ok: false, errors: [{ fieldName: field, message: `must be a positive whole number in plain digits (got "${value.slice(0, 40)}")` }] };
	}
	return { ok: true, value: id };
}

function dropUndefined<T extends object>(value: T): T {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

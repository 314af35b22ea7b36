/**
 * The Partner API's request rules, checked before anything is sent. Pure: returns every problem
 * found (field path in the API's terms + a sentence naming the field as the node shows it), so
 * one run tells the user everything that is wrong with an item, not just the first thing.
 *
 * Written from partner-api.md on its own; the sandbox has an independent implementation, so a
 * misreading of the contract shows up as a disagreement between the two instead of hiding in both.
 */
import {
	CUT_OFF_MS,
	NAME_MAX_LENGTH,
	REVIEW_RATE_MAX,
	REVIEW_RATE_MIN,
	STATE_PATTERN,
	ZIP_PATTERN,
	type Address,
	type Gps,
	type JobCreate,
	type JobUpdate,
	type Location,
	type ReviewRequest,
} from './contract';

export interface FieldIssue {
	/** path in the API's request body, e.g. `location.address.zip` */
	field: string;
	message: string;
}

/** How the node labels each API field, so messages name what the user actually sees. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
	jobId: 'Job ID',
	guardianId: 'Guardian ID',
	name: 'Name',
	whenDate: 'Scheduled Start',
	duration: 'Duration (Minutes)',
	description: 'Description',
	location: 'Location',
	'location.address.address1': 'Address Line 1',
	'location.address.address2': 'Address Line 2',
	'location.address.city': 'City',
	'location.address.state': 'State',
	'location.address.zip': 'ZIP Code',
	'location.gps.latitude': 'Latitude',
	'location.gps.longitude': 'Longitude',
	clientId: 'Client ID',
	clientInfo: 'Client Info',
	clientPhone: 'Client Phone',
	'client.clientId': 'Client ID',
	'client.clientInfo': 'Client Info',
	'client.clientPhone': 'Client Phone',
	rate: 'Rating',
	review: 'Review',
};

export function labelOf(field: string): string {
	return FIELD_LABELS[field] ?? field;
}

const isBlank = (value: unknown) =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function issue(field: string, problem: string): FieldIssue {
	return { field, message: `${labelOf(field)} ${problem}` };
}

/** A positive whole number, as the API's numeric ids are. */
export function checkId(value: unknown, field: 'jobId' | 'guardianId'): FieldIssue[] {
	if (isBlank(value)) return [issue(field, 'is required')];
	const n = typeof value === 'string' ? Number(value.trim()) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
		return [issue(field, `must be a positive whole number (got ${JSON.stringify(value)})`)];
	}
	return [];
}

function checkName(name: unknown, required: boolean): FieldIssue[] {
	if (isBlank(name)) return required ? [issue('name', 'is required')] : [issue('name', 'cannot be empty')];
	if (typeof name !== 'string') return [issue('name', 'must be text')];
	if (name.length > NAME_MAX_LENGTH) {
		return [issue('name', `is ${name.length} characters long; G2 Sentry allows at most ${NAME_MAX_LENGTH}`)];
	}
	return [];
}

/**
 * `whenDate` must be an ISO-8601 instant (the node converts what the user typed with
 * {@link toUtcIso} first) at least the 2-hour cut-off after `now`.
 */
function checkWhenDate(whenDate: unknown, now: number, required: boolean): FieldIssue[] {
	if (isBlank(whenDate)) return required ? [issue('whenDate', 'is required')] : [];
	const at = typeof whenDate === 'string' && ISO_INSTANT.test(whenDate) ? Date.parse(whenDate) : NaN;
	if (Number.isNaN(at)) {
		return [
			issue('whenDate', `must be a date and time such as 2030-05-01T14:00:00Z (got ${JSON.stringify(whenDate)})`),
		];
	}
	if (at - now < CUT_OFF_MS) {
		const hours = CUT_OFF_MS / 3_600_000;
		return [
			issue(
				'whenDate',
				`must be at least ${hours} hours from now (G2 Sentry's booking cut-off); got ${new Date(at).toISOString()}`,
			),
		];
	}
	return [];
}

function checkDuration(duration: unknown, required: boolean): FieldIssue[] {
	if (isBlank(duration)) return required ? [issue('duration', 'is required')] : [];
	if (typeof duration !== 'number' || !Number.isInteger(duration) || duration <= 0) {
		return [issue('duration', `must be a positive whole number of minutes (got ${JSON.stringify(duration)})`)];
	}
	return [];
}

function checkAddress(address: Partial<Address>): FieldIssue[] {
	const out: FieldIssue[] = [];
	for (const key of ['address1', 'city', 'state', 'zip'] as const) {
		if (isBlank(address[key])) out.push(issue(`location.address.${key}`, 'is required when an address is given'));
	}
	if (!isBlank(address.state) && !STATE_PATTERN.test(String(address.state))) {
		out.push(issue('location.address.state', `must be two capital letters, e.g. NY (got ${JSON.stringify(address.state)})`));
	}
	if (!isBlank(address.zip) && !ZIP_PATTERN.test(String(address.zip))) {
		out.push(
			issue('location.address.zip', `must be 5 digits or 9 digits (ZIP+4), e.g. 10001 or 10001-1234 (got ${JSON.stringify(address.zip)})`),
		);
	}
	return out;
}

function checkGps(gps: Partial<Gps>): FieldIssue[] {
	const out: FieldIssue[] = [];
	const ranges = { latitude: 90, longitude: 180 } as const;
	for (const key of ['latitude', 'longitude'] as const) {
		const value = gps[key];
		const field = `location.gps.${key}`;
		if (isBlank(value)) out.push(issue(field, 'is required when GPS coordinates are given'));
		else if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > ranges[key]) {
			out.push(issue(field, `must be a number between -${ranges[key]} and ${ranges[key]} (got ${JSON.stringify(value)})`));
		}
	}
	return out;
}

function checkLocation(location: Partial<Location> | undefined, required: boolean): FieldIssue[] {
	const hasAddress = location?.address !== undefined;
	const hasGps = location?.gps !== undefined;
	if (!hasAddress && !hasGps) {
		return required ? [issue('location', 'needs an address, GPS coordinates, or both')] : [];
	}
	return [
		...(hasAddress ? checkAddress(location!.address as Partial<Address>) : []),
		...(hasGps ? checkGps(location!.gps as Partial<Gps>) : []),
	];
}

export function checkJobCreate(job: Partial<JobCreate>, now: number): FieldIssue[] {
	return [
		...checkName(job.name, true),
		...checkWhenDate(job.whenDate, now, true),
		...checkDuration(job.duration, true),
		...checkLocation(job.location, true),
	];
}

export function checkJobUpdate(update: Partial<JobUpdate>, now: number): FieldIssue[] {
	const given = Object.entries(update).filter(([, value]) => value !== undefined);
	if (given.length === 0) {
		return [{ field: 'updateFields', message: 'Nothing to update: add at least one field under Update Fields' }];
	}
	return [
		...(update.name !== undefined ? checkName(update.name, false) : []),
		...checkWhenDate(update.whenDate, now, false),
		...checkDuration(update.duration, false),
		...checkLocation(update.location, false),
	];
}

export function checkReview(review: Partial<ReviewRequest>): FieldIssue[] {
	const { rate } = review;
	if (isBlank(rate)) return [issue('rate', 'is required')];
	if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < REVIEW_RATE_MIN || rate > REVIEW_RATE_MAX) {
		return [issue('rate', `must be a whole number from ${REVIEW_RATE_MIN} to ${REVIEW_RATE_MAX} (got ${JSON.stringify(rate)})`)];
	}
	return [];
}

// ---- date handling ------------------------------------------------------------------------

/** Date, optional time, optional zone: what ISO-8601 (and n8n's date picker) produce. */
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** What {@link toUtcIso} returns and the API receives. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Turns what a user or an expression gives for a date-time into the UTC ISO string the API
 * wants. A value without a zone (n8n's date picker gives `2030-05-01T14:00:00`) is read as wall
 * time in `timeZone` — the workflow's time zone — which is what the user saw when picking it.
 * Returns undefined when the value is not a date-time at all (validation then names the field).
 */
export function toUtcIso(value: unknown, timeZone = 'UTC'): string | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
	if (value !== null && typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		return toUtcIso((value as { toISO: () => unknown }).toISO(), timeZone);
	}
	if (typeof value !== 'string') return undefined;
	const match = ISO_LIKE.exec(value.trim());
	if (!match) return undefined;
	const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '0', zone] = match;
	const ms = Math.round(Number(`0.${frac}`) * 1000);
	const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms);
	const check = new Date(wall);
	if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) {
		return undefined;
	}
	if (zone !== undefined) {
		if (zone.toUpperCase() === 'Z') return new Date(wall).toISOString();
		const sign = zone.startsWith('-') ? -1 : 1;
		const digits = zone.slice(1).replace(':', '');
		const offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
		return new Date(wall - offsetMin * 60_000).toISOString();
	}
	return new Date(wall - zoneOffsetMs(wall, timeZone)).toISOString();
}

/** Offset of `timeZone` from UTC at (approximately) the wall time `wallMs`, via Intl. */
function zoneOffsetMs(wallMs: number, timeZone: string): number {
	let formatter: Intl.DateTimeFormat;
	try {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
		});
	} catch {
		return 0; // unknown zone name: read as UTC rather than fail the item
	}
	const offsetAt = (instant: number) => {
		const parts = Object.fromEntries(formatter.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
		const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
		return asUtc - Math.floor(instant / 1000) * 1000;
	};
	// Two passes settle the offset on either side of a daylight-saving change.
	const first = offsetAt(wallMs);
	return offsetAt(wallMs - first);
}

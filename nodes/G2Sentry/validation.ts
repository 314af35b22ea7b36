/**
 * The Partner API's request rules, checked before anything is sent. Pure: returns every problem
 * found (field path in the API's terms + a sentence naming the field as the node shows it), so
 * one run tells the user everything that is wrong with an item, not just the first thing.
 *
 * Written from partner-api.md on its own; the sandbox has an independent implementation, so a
 * misreading of the contract shows up as a disagreement between the two instead of hiding in both.
 */
import type { INodeProperties, INodePropertyCollection } from 'n8n-workflow';

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
} from '../shared/contract';
import { guardianIdField } from './actions/guardian/fields';
import {
	clientFields,
	descriptionField,
	durationField,
	jobIdField,
	locationField,
	nameField,
	rateField,
	reviewField,
	whenDateField,
} from './actions/job/fields';
import { ISO_INSTANT, toUtcIso } from './dates';
import { parseId, shown } from '../shared/values';

export interface FieldIssue {
	/** path in the API's request body, e.g. `location.address.zip` */
	field: string;
	message: string;
}

/** A parameter's label under its API path; for a fixed collection (Location), its groups' and values' too. */
function labelsOf(parameter: Pick<INodeProperties, 'name' | 'displayName' | 'type' | 'options'>, path = parameter.name): Array<[string, string]> {
	const labels: Array<[string, string]> = [[path, parameter.displayName]];
	if (parameter.type !== 'fixedCollection') return labels;
	for (const group of (parameter.options ?? []) as INodePropertyCollection[]) {
		labels.push([`${path}.${group.name}`, group.displayName]);
		for (const value of group.values) labels.push(...labelsOf(value, `${path}.${group.name}.${value.name}`));
	}
	return labels;
}

/**
 * How the node labels each API field, read from the parameter definitions so that messages name
 * what the user actually sees. The fixed collection's shape is the API's, so its paths match.
 */
export const FIELD_LABELS: Readonly<Record<string, string>> = Object.fromEntries([
	...[jobIdField('', ''), guardianIdField, nameField, whenDateField, durationField, descriptionField, locationField]
		.concat(clientFields, rateField, reviewField)
		.flatMap((parameter) => labelsOf(parameter)),
	// Create sends the client fields nested under `client` (Update sends them flat)
	...clientFields.map(({ name, displayName }): [string, string] => [`client.${name}`, displayName]),
	// the editor's group is "GPS"; a message about the pair as a whole says what it is
	['location.gps', 'GPS Coordinates'],
]);

export function labelOf(field: string): string {
	return FIELD_LABELS[field] ?? field;
}

const isBlank = (value: unknown) =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function issue(field: string, problem: string): FieldIssue {
	return { field, message: `${labelOf(field)} ${problem}` };
}

export function checkId(value: unknown, field: 'jobId' | 'guardianId'): FieldIssue[] {
	if (isBlank(value)) return [issue(field, 'is required')];
	if (parseId(value) === undefined) return [issue(field, `must be a positive whole number (got ${shown(value)})`)];
	return [];
}

function checkName(name: unknown, required: boolean): FieldIssue[] {
	if (isBlank(name)) return required ? [issue('name', 'is required')] : [issue('name', 'cannot be empty')];
	if (typeof name !== 'string') return [issue('name', `must be text (got ${shown(name)})`)];
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
	// toUtcIso also refuses dates that are not on the calendar (31 February), which Date.parse
	// quietly rolls over into March
	const at =
		typeof whenDate === 'string' && ISO_INSTANT.test(whenDate) && toUtcIso(whenDate) !== undefined ? Date.parse(whenDate) : NaN;
	if (Number.isNaN(at)) {
		return [
			issue('whenDate', `must be a date and time such as 2030-05-01T14:00:00Z (got ${shown(whenDate)})`),
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
		return [issue('duration', `must be a positive whole number of minutes (got ${shown(duration)})`)];
	}
	return [];
}

function checkAddress(address: Partial<Address>): FieldIssue[] {
	const out: FieldIssue[] = [];
	for (const key of ['address1', 'city', 'state', 'zip'] as const) {
		if (isBlank(address[key])) out.push(issue(`location.address.${key}`, 'is required when an address is given'));
	}
	if (!isBlank(address.state) && !STATE_PATTERN.test(String(address.state))) {
		out.push(issue('location.address.state', `must be two capital letters, e.g. NY (got ${shown(address.state)})`));
	}
	if (!isBlank(address.zip) && !ZIP_PATTERN.test(String(address.zip))) {
		out.push(
			issue('location.address.zip', `must be 5 digits or 9 digits (ZIP+4), e.g. 10001 or 10001-1234 (got ${shown(address.zip)})`),
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
			out.push(issue(field, `must be a number between -${ranges[key]} and ${ranges[key]} (got ${shown(value)})`));
		}
	}
	// 0, 0 is open sea: in practice it is a GPS group added in the editor and left at its defaults,
	// which would send a Guardian nowhere.
	if (out.length === 0 && gps.latitude === 0 && gps.longitude === 0) {
		out.push(issue('location.gps', 'is 0, 0 (open sea), which looks like coordinates left at their defaults'));
	}
	return out;
}

function checkLocation(location: Partial<Location> | undefined, required: boolean): FieldIssue[] {
	const hasAddress = location?.address !== undefined;
	const hasGps = location?.gps !== undefined;
	if (!hasAddress && !hasGps) {
		// on update an added-but-empty Location is a mistake to name, not a field to drop
		return required || location !== undefined ? [issue('location', 'needs an address, GPS coordinates, or both')] : [];
	}
	return [
		...(hasAddress ? checkAddress(location!.address as Partial<Address>) : []),
		...(hasGps ? checkGps(location!.gps as Partial<Gps>) : []),
	];
}

/** Optional free-text fields: when given, they must be text (an object would be sent as JSON). */
function checkTexts(values: Record<string, unknown>): FieldIssue[] {
	return Object.entries(values)
		.filter(([, value]) => value !== undefined && typeof value !== 'string')
		.map(([field, value]) => issue(field, `must be text (got ${shown(value)})`));
}

export function checkJobCreate(job: Partial<JobCreate>, now: number): FieldIssue[] {
	const client = (job.client ?? {}) as Record<string, unknown>;
	return [
		...checkName(job.name, true),
		...checkWhenDate(job.whenDate, now, true),
		...checkDuration(job.duration, true),
		...checkLocation(job.location, true),
		...checkTexts({
			description: job.description,
			'client.clientId': client.clientId,
			'client.clientInfo': client.clientInfo,
			'client.clientPhone': client.clientPhone,
		}),
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
		...checkTexts({
			description: update.description,
			clientId: update.clientId,
			clientInfo: update.clientInfo,
			clientPhone: update.clientPhone,
		}),
	];
}

export function checkReview(review: Partial<ReviewRequest>): FieldIssue[] {
	const { rate } = review;
	if (isBlank(rate)) return [issue('rate', 'is required')];
	if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < REVIEW_RATE_MIN || rate > REVIEW_RATE_MAX) {
		return [issue('rate', `must be a whole number from ${REVIEW_RATE_MIN} to ${REVIEW_RATE_MAX} (got ${shown(rate)})`)];
	}
	return checkTexts({ review: review.review });
}

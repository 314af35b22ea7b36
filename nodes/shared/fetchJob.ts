/**
 * One way to read a job, for both nodes: Job → Get and the trigger's "Include Job Record" call
 * `fetchJob()`, so a workflow finds the same flat fields (`name`, `whenDate`, `guardian`…)
 * whichever node fetched the job. Also the shaping Create uses for its output.
 */
import type { IDataObject } from 'n8n-workflow';

import type { JobRecord, Location } from './contract';
import { g2SentryApiRequest, type G2SentryContext } from './transport';
import { parseId } from './values';

/** GET /jobs/{jobId}/status: `{ jobId, status }`, the cheap read. */
export async function fetchJobStatus(
	this: G2SentryContext,
	jobId: number,
	options: { itemIndex?: number; abortSignal?: AbortSignal } = {},
): Promise<{ jobId: number; status: string }> {
	const answer = await g2SentryApiRequest.call(this, {
		method: 'GET',
		path: `/jobs/${jobId}/status`,
		subject: { jobId },
		effect: 'read',
		answer: { expected: '{ jobId, status }', required: { jobId: 'id', status: 'text' } },
		...options,
	});
	return { jobId: parseId(answer.jobId) ?? jobId, status: answer.status as string };
}

/** GET /jobs/{jobId} → answer check → the flat job with its Guardian (or null). */
export async function fetchJob(
	this: G2SentryContext,
	jobId: number,
	options: { itemIndex?: number; abortSignal?: AbortSignal } = {},
): Promise<IDataObject> {
	const record = (await g2SentryApiRequest.call(this, {
		method: 'GET',
		path: `/jobs/${jobId}`,
		subject: { jobId },
		effect: 'read',
		answer: { expected: 'a job record { jobId, status, guardian, job }', required: { jobId: 'id', status: 'text', job: 'object' } },
		...options,
	})) as unknown as JobRecord;
	return {
		...shapeJob(parseId(record.jobId) ?? jobId, record.status, record.job),
		guardian: shapeGuardian(record.guardian),
	};
}

/**
 * A number given as plain decimal text ("120", "-74.006", as upstream data often has it) becomes
 * that number; anything else is left as it is for validation to name. Deliberately stricter than
 * `Number()`, which reads "0x10" as 16 and "" as 0.
 */
export function asNumber(value: unknown): unknown {
	if (typeof value === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) return Number(value);
	return value;
}

/** Drops undefined and empty-string values (n8n collections leave both behind). */
export function compact<T extends IDataObject>(object: T): T {
	return Object.fromEntries(
		Object.entries(object).filter(([, value]) => value !== undefined && value !== ''),
	) as T;
}

function asIso(value: unknown): unknown {
	if (typeof value !== 'string' && typeof value !== 'number') return value;
	const at = new Date(value);
	return Number.isNaN(at.getTime()) ? value : at.toISOString();
}

/** The job fields flattened next to id and status: what Create and Get both output. */
export function shapeJob(jobId: unknown, status: unknown, job: Partial<JobRecord['job']> | undefined): IDataObject {
	const details = job ?? {};
	return compact({
		jobId: asNumber(jobId) as number,
		status: status as string,
		name: details.name,
		whenDate: asIso(details.whenDate) as string,
		duration: asNumber(details.duration) as number,
		description: details.description,
		location: shapeLocation(details.location),
		client: details.client ? (compact({ ...details.client } as IDataObject) as IDataObject) : undefined,
	});
}

function shapeLocation(location: Location | undefined): IDataObject | undefined {
	if (!location) return undefined;
	return compact({
		address: location.address ? (compact({ ...location.address } as IDataObject) as IDataObject) : undefined,
		gps: location.gps
			? { latitude: asNumber(location.gps.latitude) as number, longitude: asNumber(location.gps.longitude) as number }
			: undefined,
	});
}

export function shapeGuardian(guardian: JobRecord['guardian']): IDataObject | null {
	if (!guardian) return null;
	return compact({
		guardianId: asNumber(guardian.guardianId) as number,
		firstName: guardian.firstName,
		lastName: guardian.lastName,
		avatarThumbnailUrl: guardian.avatarThumbnailUrl,
		phone: guardian.phone,
	});
}

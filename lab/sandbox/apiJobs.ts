/** The /jobs routes: create, read, status, update, cancel, review, and the assigned Guardian's profile. */
import { ERROR_CODES, type JobRecord } from '../../nodes/shared/contract';
import { authed, type ApiContext } from './apiAuth';
import type { SandboxCore } from './core';
import { assignedView, findGuardian, profileView } from './guardians';
import { error, json, parseJsonBody, route, success, validationError, type Reply, type Route } from './http';
import type { JobState } from './store';
import { checkId, checkJobCreate, checkJobUpdate, checkReview } from './validation';

const NOT_FOUND_MESSAGE = 'Job not found.';

/** The job as the partner's record shows it (guardian only while one is assigned). */
export function jobRecord(job: JobState, origin: string): JobRecord {
	const record: JobRecord = { jobId: job.jobId, status: job.status, job: structuredClone(job.job) };
	const guardian = job.guardianId !== null ? findGuardian(job.guardianId) : undefined;
	if (guardian) record.guardian = assignedView(guardian, origin);
	return record;
}

export function jobRoutes(core: SandboxCore): Route[] {
	/** The caller's job from the :jobId segment, or the 400/404 to answer instead. */
	const ownJob = (ctx: ApiContext, partnerKey: string): JobState | Reply => {
		const id = checkId(ctx.params.jobId, 'jobId');
		if (!id.ok) return validationError(id.errors);
		// another partner's job gets the very same answer as a job that does not exist
		return core.jobs.getForPartner(id.value, partnerKey) ?? error(404, ERROR_CODES.notFound, NOT_FOUND_MESSAGE);
	};
	const withJob = (handler: (ctx: ApiContext, job: JobState, partnerKey: string) => Reply) =>
		authed(core, (ctx, partnerKey) => {
			const job = ownJob(ctx, partnerKey);
			return 'jobId' in job ? handler(ctx, job, partnerKey) : job;
		});
	const cutOffRefusal = (job: JobState, what: string): Reply | null =>
		core.jobs.insideCutOff(job)
			? error(422, ERROR_CODES.cutOff, `The job starts in less than 2 hours (cut-off exceeded): it can no longer be ${what}.`)
			: null;

	return [
		route('POST', '/jobs', authed(core, (ctx, partnerKey) => {
			const parsed = parseJsonBody(ctx);
			if (!parsed.ok) return parsed.reply;
			const checked = checkJobCreate(parsed.value, Date.now());
			if (!checked.ok) return validationError(checked.errors);
			const job = core.jobs.create(partnerKey, checked.value);
			core.dispatcher.plan(job);
			const body = core.config.variants.createResponseIncludesStatus ? { jobId: job.jobId, status: job.status } : { jobId: job.jobId };
			return json(201, body);
		})),

		route('GET', '/jobs/:jobId', withJob((_ctx, job) => json(200, jobRecord(job, core.origin)))),

		route('GET', '/jobs/:jobId/status', withJob((_ctx, job) => json(200, { jobId: job.jobId, status: job.status }))),

		route('PATCH', '/jobs/:jobId', withJob((ctx, job) => {
			const parsed = parseJsonBody(ctx);
			if (!parsed.ok) return parsed.reply;
			const checked = checkJobUpdate(parsed.value, Date.now());
			if (!checked.ok) return validationError(checked.errors);
			if (job.status !== 'New' && job.status !== 'Assigned') {
				return error(422, ERROR_CODES.invalidState, `A job in status ${job.status} can no longer be updated.`);
			}
			const refused = cutOffRefusal(job, 'updated');
			if (refused) return refused;
			core.jobs.update(job, checked.value);
			return success(`Job ${job.jobId} updated.`);
		})),

		route('GET', '/jobs/:jobId/cancel', withJob((_ctx, job) => {
			if (job.status !== 'New' && job.status !== 'Assigned') {
				return error(422, ERROR_CODES.invalidState, `A job in status ${job.status} cannot be canceled.`);
			}
			const refused = cutOffRefusal(job, 'canceled');
			if (refused) return refused;
			const hadGuardian = job.status === 'Assigned';
			core.jobs.transition(job.jobId, 'Canceled', 'partner');
			return success(
				hadGuardian
					? `Job ${job.jobId} canceled. A Guardian was already assigned, so a cancellation fee may apply.`
					: `Job ${job.jobId} canceled.`,
			);
		})),

		route('POST', '/jobs/:jobId/review', withJob((ctx, job) => {
			const parsed = parseJsonBody(ctx);
			if (!parsed.ok) return parsed.reply;
			const checked = checkReview(parsed.value);
			if (!checked.ok) return validationError(checked.errors);
			if (job.status !== 'Completed') {
				return error(422, ERROR_CODES.invalidState, `Only a Completed job can be reviewed; this one is ${job.status}.`);
			}
			if (job.review) return error(422, ERROR_CODES.invalidState, 'This job has already been reviewed.');
			job.review = { ...checked.value, at: new Date().toISOString() };
			return success(`Review for job ${job.jobId} saved.`);
		})),

		route('GET', '/jobs/:jobId/guardians/:guardianId', withJob((ctx, job) => {
			const id = checkId(ctx.params.guardianId, 'guardianId');
			if (!id.ok) return validationError(id.errors);
			const guardian = job.guardianId === id.value ? findGuardian(id.value) : undefined;
			// only the Guardian currently assigned to this job can be looked up through it
			if (!guardian) return error(404, ERROR_CODES.notFound, 'No such Guardian assigned to this job.');
			return json(200, profileView(guardian, core.origin, Date.now()));
		})),
	];
}

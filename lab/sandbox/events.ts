/** Which callback a status change fires, and its payload, as the vendor documents them. */
import type { CallbackEvent, CallbackPayload, JobStatus } from '../../nodes/shared/contract';
import type { VariantOptions } from './options';

export function eventFor(from: JobStatus, to: JobStatus, variants: VariantOptions): CallbackEvent | null {
	if (from === 'New' && to === 'Assigned') return 'JobAssigned';
	if (from === 'Assigned' && to === 'InProgress') return 'JobStarted';
	if (from === 'InProgress' && to === 'Completed') return 'JobCompleted';
	if (from === 'Assigned' && to === 'New') return 'JobWithdrawed';
	// the workflow page: a cancel fires nothing; one callback page: "withdrawn or canceled"
	if (to === 'Canceled' && variants.cancelFiresWithdrawed) return 'JobWithdrawed';
	return null;
}

export function callbackPayload(
	job: { jobId: number; status: JobStatus; name: string; guardianPhone: string | null },
	eventType: CallbackEvent,
	variants: VariantOptions,
): CallbackPayload {
	const payload: CallbackPayload = { jobId: job.jobId, eventType, jobName: job.name, jobStatus: job.status };
	if (job.guardianPhone && variants.guardianPhoneEvents.includes(eventType)) payload.guardianPhone = job.guardianPhone;
	return payload;
}

/**
 * Which callbacks a job must have sent while the trigger was not listening, from what the
 * trigger's memory says about the job and the status G2 Sentry reports now. Pure (no n8n).
 *
 * The status alone cannot tell what happened in between, so only what the contract's lifecycle
 * (ALLOWED_TRANSITIONS in ../shared/contract.ts) makes certain is emitted, one event per missed
 * step, in order:
 * - a job now InProgress or Completed was started, and a job remembered as New was assigned
 *   before that; so "Assigned → Completed" is JobStarted then JobCompleted, and the JobCompleted
 *   a workflow that emails the client on completion waits for always comes;
 * - a job now Canceled that was not remembered as ended: one JobWithdrawed with jobStatus
 *   Canceled, as the contract's callback for a cancellation reads;
 * - remembered Assigned, now New: the Guardian withdrew (one JobWithdrawed, status New);
 * - remembered New, now Assigned: one JobAssigned.
 * What the status cannot show is not invented: a withdrawal followed by a new assignment while
 * the trigger was away ("Assigned", still "Assigned") looks like no change, and a status that
 * goes backwards or is unknown gives nothing.
 */
import { JOB_STATUSES, type CallbackEvent, type JobStatus } from '../shared/contract';
import type { JobMemory } from './eventStore';

export interface MissedEvent {
	eventType: CallbackEvent;
	/** what the callback for this step says the job's status is */
	jobStatus: JobStatus;
}

/** Statuses after which nothing more happens to a job. */
export const FINAL_STATUSES: readonly JobStatus[] = ['Completed', 'Canceled'];

/** The status the trigger's memory implies: the furthest step it has heard of. */
export function rememberedStatus(memory: JobMemory): JobStatus {
	if (memory.completed) return 'Completed';
	if (memory.canceled) return 'Canceled';
	if (memory.started) return 'InProgress';
	return memory.assignments > memory.withdrawals ? 'Assigned' : 'New';
}

export function isJobStatus(value: unknown): value is JobStatus {
	return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

/** Position on the one forward path New → Assigned → InProgress → Completed. */
const STEP: Partial<Record<JobStatus, number>> = { New: 0, Assigned: 1, InProgress: 2, Completed: 3 };
const FORWARD: MissedEvent[] = [
	{ eventType: 'JobAssigned', jobStatus: 'Assigned' },
	{ eventType: 'JobStarted', jobStatus: 'InProgress' },
	{ eventType: 'JobCompleted', jobStatus: 'Completed' },
];

export function missedEvents(remembered: JobStatus, current: string): MissedEvent[] {
	if (!isJobStatus(current) || FINAL_STATUSES.includes(remembered) || current === remembered) return [];
	if (current === 'Canceled') return [{ eventType: 'JobWithdrawed', jobStatus: 'Canceled' }];
	if (current === 'New') return remembered === 'Assigned' ? [{ eventType: 'JobWithdrawed', jobStatus: 'New' }] : [];
	const from = STEP[remembered] ?? 0;
	const to = STEP[current] ?? 0;
	// a job never goes back from InProgress: such an answer is not evidence of anything missed
	return to > from ? FORWARD.slice(from, to) : [];
}

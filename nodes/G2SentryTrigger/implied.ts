/**
 * Steps a later callback proves. Pure (no n8n, no clock).
 *
 * The trigger answers G2 Sentry before n8n saves the memory and creates the run
 * (docs/delivery-guarantees.md); a process killed in between loses that step, and G2 Sentry does
 * not retry it. When the job's next step then arrives, catch-up sees the job as up to date and
 * the middle step is gone. The lifecycle (New → Assigned → InProgress → Completed, see
 * missedEvents.ts) makes some predecessors certain, whatever order callbacks arrive in:
 * - a JobCompleted proves the job was started: a JobStarted the memory lacks is implied;
 * - a JobStarted (or a JobCompleted) proves the job was assigned: when the memory holds no
 *   assignment that is still open (assignments seen <= withdrawals seen, the started assignment
 *   not being one that was withdrawn), one JobAssigned is implied.
 * Only when the memory holds a step that comes before the implied one (an assignment or a
 * withdrawal before a start; a withdrawal before a re-assignment): the trigger was listening
 * then, so the implied step happened while it listened. A job's first events from before the
 * trigger listened are not the workflow's to receive, so a job never heard of, or known only by
 * its completion or cancellation, implies nothing. A withdrawal or a cancellation is never
 * implied: no later step proves one.
 *
 * The same holds when the earlier step arrives last (the vendor retries each callback on its own,
 * so after an outage they arrive in any order): a JobAssigned for a job the memory holds as
 * completed but never started proves the start between them, which came after this assignment,
 * so while the trigger was receiving the job's callbacks. R8 (test/reliability/) lost such starts:
 * acknowledged, then n8n killed before it saved the memory holding them, the completion arriving
 * to a memory that held nothing of the job (so it implied nothing), the assignment after that.
 * That start is emitted after the assignment (`follows`), without a Guardian: the one assigned
 * may have been withdrawn before another started the job.
 *
 * When the real step arrives later (out of order, or a vendor retry):
 * - JobStarted after an implied JobStarted: a job starts once, so it is the same step: duplicate
 *   (the memory's flag, as for any JobStarted);
 * - JobAssigned after an implied JobAssigned: the implied one carried no Guardian, so nothing
 *   proves it is the same assignment, nor that it is another: it is emitted, marked
 *   `possibleRepeat`, counted as the implied assignment, and the job's counts are marked in doubt
 *   (events.ts then never drops one of its events on a count alone).
 */
import type { JobMemory } from './eventStore';
import type { CallbackEventData } from './payload';

export interface ImpliedStep {
	eventType: 'JobAssigned' | 'JobStarted';
	jobStatus: 'Assigned' | 'InProgress';
	stale: boolean;
	possibleRepeat: boolean;
	/** its step letter for the replay after a restart (replay.ts) */
	letter: 'A' | 'S';
	/** it comes after the callback that proved it in the job's lifecycle (run after it) */
	follows?: true;
}

/**
 * The steps `eventType` proves that `m` lacks, in lifecycle order, recorded in `m` (mutated).
 * `doubt`: the memory may lack what another process recorded (events.ts), so an implied step may
 * already have run there. Called before the event itself is decided.
 */
export function takeImplied(m: JobMemory, eventType: string, doubt: boolean): ImpliedStep[] {
	if (m.started) return [];
	// an assignment arriving for a job completed and never started: the start came after it
	if (eventType === 'JobAssigned') {
		if (!m.completed) return [];
		m.started = true;
		return [{ eventType: 'JobStarted', jobStatus: 'InProgress', stale: true, possibleRepeat: doubt, letter: 'S', follows: true }];
	}
	if (eventType !== 'JobStarted' && !(eventType === 'JobCompleted' && !m.completed)) return [];
	const ended = m.completed === true || m.canceled === true;
	const steps: ImpliedStep[] = [];
	// a withdrawal was received and no assignment after it: the started one is missing. Every
	// withdrawal's payload is the same: with two or more counted, one may have been a late retry of
	// an earlier one, and the assignment may have been received after all (events.ts lets such a
	// withdrawal through marked possibleRepeat), so the implied one is marked too.
	if (m.withdrawals > 0 && m.assignments <= m.withdrawals) {
		m.assignments += 1;
		m.assignmentImplied = true;
		steps.push({ eventType: 'JobAssigned', jobStatus: 'Assigned', stale: ended, possibleRepeat: doubt || m.withdrawals > 1, letter: 'A' });
	}
	// an assignment or a withdrawal was received (or just implied): the start came after it
	if (eventType === 'JobCompleted' && (m.assignments > 0 || m.withdrawals > 0)) {
		m.started = true;
		steps.push({ eventType: 'JobStarted', jobStatus: 'InProgress', stale: ended, possibleRepeat: doubt, letter: 'S' });
	}
	return steps;
}

/**
 * The items for the implied steps, from the callback that proved them: its `jobName` is the
 * job's, and the Guardian who completed a job is the one who started it; the Guardian of an
 * implied assignment, or of a start an assignment proved, is not in the callback (null).
 */
export function impliedItems(steps: ImpliedStep[], event: Pick<CallbackEventData, 'jobId' | 'jobName' | 'guardianPhone' | 'eventType'>, receivedAt: Date, viaPrevious: boolean) {
	return steps.map((step) => ({
		json: {
			jobId: event.jobId,
			eventType: step.eventType as string,
			jobName: event.jobName,
			jobStatus: step.jobStatus,
			guardianPhone: step.eventType === 'JobStarted' && event.eventType === 'JobCompleted' ? event.guardianPhone : null,
			receivedAt: receivedAt.toISOString(),
			stale: step.stale,
			possibleRepeat: step.possibleRepeat,
			signedWithPreviousSecret: viaPrevious,
			verifiedWith: viaPrevious ? 'previous' : 'current',
			recovered: true,
			recoveredBecause: 'implied',
		},
	}));
}

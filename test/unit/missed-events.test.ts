import { JOB_STATUSES } from '../../nodes/shared/contract';
import { createStore, type JobMemory } from '../../nodes/G2SentryTrigger/eventStore';
import { recordEvent, rememberedJobStatus, unfinishedJobs } from '../../nodes/G2SentryTrigger/events';
import { missedEvents, rememberedStatus } from '../../nodes/G2SentryTrigger/missedEvents';

const types = (remembered: Parameters<typeof missedEvents>[0], current: string) =>
	missedEvents(remembered, current).map((e) => `${e.eventType}:${e.jobStatus}`);

describe('missed events: what a job must have sent, from the remembered and the current status', () => {
	it('always brings the JobCompleted of a job that completed, with the steps before it in order', () => {
		expect(types('New', 'Completed')).toEqual(['JobAssigned:Assigned', 'JobStarted:InProgress', 'JobCompleted:Completed']);
		expect(types('Assigned', 'Completed')).toEqual(['JobStarted:InProgress', 'JobCompleted:Completed']);
		expect(types('InProgress', 'Completed')).toEqual(['JobCompleted:Completed']);
	});

	it('brings the start and the assignment a job now in progress went through', () => {
		expect(types('New', 'InProgress')).toEqual(['JobAssigned:Assigned', 'JobStarted:InProgress']);
		expect(types('Assigned', 'InProgress')).toEqual(['JobStarted:InProgress']);
		expect(types('New', 'Assigned')).toEqual(['JobAssigned:Assigned']);
	});

	it('reads a cancellation as JobWithdrawed with status Canceled, a return to New as a withdrawal', () => {
		expect(types('New', 'Canceled')).toEqual(['JobWithdrawed:Canceled']);
		expect(types('Assigned', 'Canceled')).toEqual(['JobWithdrawed:Canceled']);
		expect(types('Assigned', 'New')).toEqual(['JobWithdrawed:New']);
	});

	it('invents nothing the status cannot show: no change, backwards, unknown, or an ended job', () => {
		for (const status of JOB_STATUSES) expect(types(status, status)).toEqual([]);
		expect(types('InProgress', 'Assigned')).toEqual([]);
		expect(types('InProgress', 'New')).toEqual([]);
		expect(types('Assigned', 'Paused')).toEqual([]);
		for (const status of JOB_STATUSES) {
			expect(types('Completed', status)).toEqual([]);
			expect(types('Canceled', status)).toEqual([]);
		}
	});

	it('reads the remembered status from the memory: the furthest step heard of', () => {
		const heard = (assignments: number, withdrawals: number, flags: Partial<JobMemory> = {}): JobMemory => ({ assignments, withdrawals, lastHeardAt: 0, ...flags });
		expect(rememberedStatus(heard(0, 0))).toBe('New');
		expect(rememberedStatus(heard(1, 0))).toBe('Assigned');
		expect(rememberedStatus(heard(1, 1))).toBe('New');
		expect(rememberedStatus(heard(1, 0, { started: true }))).toBe('InProgress');
		expect(rememberedStatus(heard(0, 0, { started: true, completed: true }))).toBe('Completed');
		expect(rememberedStatus(heard(1, 0, { canceled: true }))).toBe('Canceled');
	});
});

describe('catch-up and the memory', () => {
	const event = (jobId: number, eventType: string, jobStatus: string, guardianPhone: string | null = null) => ({
		jobId,
		eventType,
		jobStatus,
		guardianPhone,
	});

	it('lists the unfinished jobs, most recently heard of first, and leaves out ended ones', () => {
		const store = createStore();
		recordEvent(store, event(1, 'JobAssigned', 'Assigned', '+1555'), 1_000);
		recordEvent(store, event(2, 'JobCompleted', 'Completed'), 2_000);
		recordEvent(store, event(3, 'JobStarted', 'InProgress'), 3_000);
		recordEvent(store, event(4, 'JobWithdrawed', 'Canceled'), 4_000);
		expect(unfinishedJobs(store)).toEqual([
			{ jobId: 3, remembered: 'InProgress', lastHeard: 3_000 },
			{ jobId: 1, remembered: 'Assigned', lastHeard: 1_000 },
		]);
		expect(rememberedJobStatus(store, 2)).toBe('Completed');
		expect(rememberedJobStatus(store, 99)).toBeUndefined();
	});

	it('a recovered event, once recorded, makes the late callback for it a duplicate, and is not recovered twice', () => {
		const store = createStore();
		recordEvent(store, event(7, 'JobAssigned', 'Assigned', '+1555'), 1_000);
		const missed = missedEvents(rememberedJobStatus(store, 7)!, 'Completed');
		for (const m of missed) expect(recordEvent(store, event(7, m.eventType, m.jobStatus), 2_000)).toEqual({ duplicate: false, stale: false });
		// the vendor's late retries of the same steps
		expect(recordEvent(store, event(7, 'JobStarted', 'InProgress', '+1555'), 3_000)).toEqual({ duplicate: true });
		expect(recordEvent(store, event(7, 'JobCompleted', 'Completed'), 3_000)).toEqual({ duplicate: true });
		// the job is finished in the memory now: the next pass does not ask again
		expect(unfinishedJobs(store).map((j) => j.jobId)).not.toContain(7);
		expect(missedEvents(rememberedJobStatus(store, 7)!, 'Completed')).toEqual([]);
	});

	it('a recovered assignment with the Guardian\'s number makes that assignment\'s late callback a duplicate', () => {
		const store = createStore();
		recordEvent(store, event(8, 'JobAssigned', 'Assigned', '+1555'), 1_000);
		recordEvent(store, event(8, 'JobWithdrawed', 'New'), 2_000);
		const [missed] = missedEvents(rememberedJobStatus(store, 8)!, 'Assigned');
		expect(missed).toEqual({ eventType: 'JobAssigned', jobStatus: 'Assigned' });
		expect(recordEvent(store, event(8, missed.eventType, missed.jobStatus, '+1666'), 3_000)).toEqual({ duplicate: false, stale: false });
		expect(recordEvent(store, event(8, 'JobAssigned', 'Assigned', '+1666'), 4_000)).toEqual({ duplicate: true });
	});
});

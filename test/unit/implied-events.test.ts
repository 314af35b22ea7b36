import { createStore, decodeJob, encodeJob, type EventStore, type JobMemory } from '../../nodes/G2SentryTrigger/eventStore';
import { fingerprint, recordEvent, type IncomingEvent, type Verdict } from '../../nodes/G2SentryTrigger/events';
import { takeImplied } from '../../nodes/G2SentryTrigger/implied';
import { takeReplay } from '../../nodes/G2SentryTrigger/replay';

const STATUS: Record<string, string> = { JobAssigned: 'Assigned', JobStarted: 'InProgress', JobCompleted: 'Completed', JobWithdrawed: 'New' };
const ev = (eventType: string, extra: Partial<IncomingEvent> = {}): IncomingEvent => ({
	jobId: 7,
	eventType,
	jobStatus: STATUS[eventType] ?? 'Assigned',
	guardianPhone: null,
	...extra,
});
const A1 = ev('JobAssigned', { guardianPhone: '+15550100' });
const A2 = ev('JobAssigned', { guardianPhone: '+15550199' });
const W = ev('JobWithdrawed');
const X = ev('JobWithdrawed', { jobStatus: 'Canceled' });
const S = ev('JobStarted', { guardianPhone: '+15550199' });
const C = ev('JobCompleted', { guardianPhone: '+15550199' });
const fingerprintOf = (event: IncomingEvent) => fingerprint(event.guardianPhone ?? '');

/** Feeds deliveries one second apart and returns every verdict. */
function feed(events: IncomingEvent[], store: EventStore = createStore(), from = 1_000): Verdict[] {
	return events.map((event, i) => recordEvent(store, event, from + i * 1_000));
}
const impliedOf = (v: Verdict) => (v.duplicate ? [] : (v.implied ?? []).map((step) => step.eventType));
const memory = (store: EventStore) => decodeJob(store.jobs['7']);

describe('implied steps: a later step proves a predecessor the memory lacks', () => {
	it('a JobCompleted after the assignment emits the lost JobStarted first; the real one later is a duplicate', () => {
		const store = createStore();
		const [, completed] = feed([A1, C], store);
		expect(impliedOf(completed)).toEqual(['JobStarted']);
		expect(completed).toMatchObject({ duplicate: false, stale: false });
		expect(!completed.duplicate && completed.implied?.[0]).toMatchObject({ jobStatus: 'InProgress', stale: false, possibleRepeat: false });
		// a job starts once: the JobStarted arriving late (out of order or a retry) is that step
		expect(feed([S], store, 10_000)).toEqual([{ duplicate: true }]);
	});

	it('a JobStarted after a withdrawal emits the lost re-assignment first', () => {
		const [, , started] = feed([A1, W, S]);
		expect(impliedOf(started)).toEqual(['JobAssigned']);
		expect(!started.duplicate && started.implied?.[0]).toMatchObject({ jobStatus: 'Assigned', stale: false, possibleRepeat: false });
	});

	it('a late retry of the first withdrawal after the re-assignment leaves the counts in doubt: the start then implies an assignment only marked possibleRepeat', () => {
		// seen in R2: A1, W, A2 received; the first W's answer was lost and its retry arrived after A2,
		// counted as a second withdrawal (emitted possibleRepeat); then A2's start arrived
		const [, , , retryOfW, started] = feed([A1, W, A2, W, S]);
		expect(retryOfW).toMatchObject({ duplicate: false, possibleRepeat: true });
		expect(impliedOf(started)).toEqual(['JobAssigned']);
		expect(!started.duplicate && started.implied?.[0]).toMatchObject({ jobStatus: 'Assigned', possibleRepeat: true });
	});

	it('a JobCompleted after a withdrawal emits both, in lifecycle order', () => {
		const [, , completed] = feed([A1, W, C]);
		expect(impliedOf(completed)).toEqual(['JobAssigned', 'JobStarted']);
	});

	it('the real assignment arriving after an implied one is emitted, marked possibleRepeat, and its retry is never unmarked', () => {
		const store = createStore();
		feed([A1, W, S], store);
		// out of order: the start came before its assignment
		const [late] = feed([A2], store, 10_000);
		expect(late).toEqual({ duplicate: false, stale: true, possibleRepeat: true });
		expect(memory(store)).toMatchObject({ assignments: 2, withdrawals: 1, started: true, countsInDoubt: true });
		expect(memory(store).assignmentImplied).toBeUndefined();
		const [retry] = feed([A2], store, 20_000);
		expect(retry.duplicate || retry.possibleRepeat === true).toBe(true);
	});

	it('never drops the first assignment arriving after an implied one, even with a Guardian seen before', () => {
		const store = createStore();
		feed([A1, W, S], store);
		// the same Guardian assigned again, or a late retry of the first assignment: nothing tells
		expect(feed([A1], store, 10_000)).toEqual([{ duplicate: false, stale: true, possibleRepeat: true }]);
	});

	it('an assignment arriving after the completion of a job never seen started emits the lost JobStarted after it', () => {
		// R8: the start acknowledged and never saved (n8n killed), the completion then arriving to a
		// memory that held nothing of the job, the assignment's retry last
		const store = createStore();
		const [completed, assigned] = feed([C, A1], store);
		expect(impliedOf(completed)).toEqual([]);
		expect(impliedOf(assigned)).toEqual(['JobStarted']);
		expect(assigned).toMatchObject({ duplicate: false, stale: true });
		expect(!assigned.duplicate && assigned.implied).toEqual([{ eventType: 'JobStarted', jobStatus: 'InProgress', stale: true, possibleRepeat: false, letter: 'S', follows: true }]);
		expect(memory(store)).toMatchObject({ assignments: 1, started: true, completed: true });
		// the real start arriving later is that step; the assignment's retry proves nothing new
		expect(feed([S, A1], store, 10_000)).toEqual([{ duplicate: true }, { duplicate: true }]);
		// replayed after a restart in lifecycle order: the completion, the assignment, then the start
		store.replayDue = { from: 0, to: 5_000 };
		expect(takeReplay(store, 20_000).map((step) => step.eventType)).toEqual(['JobCompleted', 'JobAssigned', 'JobStarted']);
	});

	it('a repeated assignment still carries the start it proves', () => {
		// two copies merged: one held the assignment, the other the completion (nothing else)
		const store = createStore();
		store.jobs['7'] = encodeJob({ assignments: 1, withdrawals: 0, completed: true, assignmentFingerprints: [fingerprintOf(A1)], lastHeardAt: 500 });
		const [assigned] = feed([A1], store);
		expect(assigned).toEqual({ duplicate: true, implied: [expect.objectContaining({ eventType: 'JobStarted', follows: true })] });
		expect(feed([A1], store, 5_000)).toEqual([{ duplicate: true }]);
	});

	it('an assignment proves no start for a job the memory holds as canceled, started or not ended', () => {
		expect(feed([X, A1]).map(impliedOf)).toEqual([[], []]);
		expect(feed([C, S, A1]).map(impliedOf)).toEqual([[], [], []]);
		expect(feed([A1, W, A2]).map(impliedOf)).toEqual([[], [], []]);
	});

	it('implies nothing for a job the memory has never heard of', () => {
		expect(feed([C]).map(impliedOf)).toEqual([[]]);
		expect(feed([S]).map(impliedOf)).toEqual([[]]);
		// nor for one it knows only through unknown event types
		const store = createStore();
		feed([ev('JobRescheduled', { jobStatus: 'Assigned' })], store);
		expect(feed([C], store, 10_000).map(impliedOf)).toEqual([[]]);
		// nor for steps before the first one it heard of: they may predate the workflow
		expect(feed([C, S]).map(impliedOf)).toEqual([[], []]);
		expect(feed([X, C]).map(impliedOf)).toEqual([[], []]);
	});

	it('implies nothing the memory already holds, and never a withdrawal or a cancellation', () => {
		expect(feed([A1, S, C]).map(impliedOf)).toEqual([[], [], []]);
		expect(feed([A1, C, C]).map(impliedOf)).toEqual([[], ['JobStarted'], []]);
		const store = createStore();
		feed([A1, W, A2], store);
		expect(feed([C], store, 10_000).map(impliedOf)).toEqual([['JobStarted']]);
		// a canceled job's late completion: only the start is proven, marked stale as the job ended
		const [, , completed] = feed([A1, X, C]);
		expect(!completed.duplicate && completed.implied).toEqual([{ eventType: 'JobStarted', jobStatus: 'InProgress', stale: true, possibleRepeat: false, letter: 'S' }]);
	});

	it('marks implied steps possibleRepeat while another process may have recorded them', () => {
		const store = createStore();
		feed([A1], store);
		store.shared = 5_000;
		const [completed] = feed([C], store, 6_000);
		expect(!completed.duplicate && completed.implied?.[0].possibleRepeat).toBe(true);
	});

	it('records implied steps in the memory: the status, and the steps a restart replays', () => {
		const store = createStore();
		feed([A1, W, C], store);
		expect(memory(store)).toMatchObject({ assignments: 2, withdrawals: 1, started: true, completed: true, assignmentImplied: true });
		store.replayDue = { from: 0, to: 10_000 };
		expect(takeReplay(store, 20_000).map((step) => step.eventType)).toEqual(['JobAssigned', 'JobWithdrawed', 'JobAssigned', 'JobStarted', 'JobCompleted']);
	});

	it('keeps the implied-assignment mark through encoding', () => {
		const m: JobMemory = { assignments: 1, withdrawals: 1, lastHeardAt: 5 };
		expect(takeImplied(m, 'JobStarted', false)).toHaveLength(1);
		expect(decodeJob(encodeJob(m))).toMatchObject({ assignments: 2, withdrawals: 1, assignmentImplied: true });
	});
});

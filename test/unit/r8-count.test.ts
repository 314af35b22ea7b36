/**
 * R8's counting (test/reliability/r8-count.ts): each event the sandbox sent gets exactly one fate,
 * and an execution n8n marked crashed never counts as a run.
 */
import { ackedBeforeKill, classify, mainNeverHeld, NOTHING_EARLIER_SAVED, rememberedNothingOf, sentEvents, STARTUP_NOTHING_EARLIER_SAVED, triggerItems, type Run } from '../reliability/r8-count';
import type { GateRecord } from '../reliability/r8-gate';

const body = (jobId: number, eventType: string, jobStatus: string) => JSON.stringify({ jobId, eventType, jobName: `job ${jobId}`, jobStatus });
const attempt = (deliveryId: number, jobId: number, eventType: string, jobStatus: string, outcome = 'delivered', status: number | null = 200) => ({
	deliveryId,
	jobId,
	body: body(jobId, eventType, jobStatus),
	attempt: 1,
	duplicate: false,
	status,
	outcome,
	startedAt: new Date(0).toISOString(),
});
const item = (jobId: number, eventType: string, jobStatus: string, extra: Record<string, unknown> = {}) => ({ jobId, eventType, jobStatus, possibleRepeat: false, ...extra });

describe('R8 counting', () => {
	const events = sentEvents([
		attempt(1, 10, 'JobAssigned', 'Assigned'),
		attempt(2, 10, 'JobStarted', 'InProgress'),
		attempt(3, 10, 'JobCompleted', 'Completed'),
		attempt(4, 11, 'JobAssigned', 'Assigned'),
		attempt(5, 11, 'JobStarted', 'InProgress'),
		attempt(6, 11, 'JobCompleted', 'Completed'),
		attempt(7, 12, 'JobAssigned', 'Assigned', 'failed', null),
		attempt(7, 12, 'JobAssigned', 'Assigned', 'given-up', null),
	]);

	it('groups attempts by delivery: one event per deliveryId, every attempt kept', () => {
		expect(events).toHaveLength(7);
		expect(events.find((e) => e.deliveryId === 7)?.attempts.map((a) => a.outcome)).toEqual(['failed', 'given-up']);
	});

	it('gives each event one fate: once, repeated (marked or not), recovered, lost, and says how it was lost', () => {
		const runs: Run[] = [
			{ id: 1, status: 'success', recorded: true, items: [item(10, 'JobAssigned', 'Assigned')] },
			{ id: 2, status: 'success', recorded: true, items: [item(10, 'JobStarted', 'InProgress')] },
			{ id: 3, status: 'success', recorded: true, items: [item(10, 'JobStarted', 'InProgress', { possibleRepeat: true })] },
			{ id: 4, status: 'success', recorded: true, items: [item(10, 'JobCompleted', 'Completed')] },
			{ id: 5, status: 'success', recorded: true, items: [item(10, 'JobCompleted', 'Completed')] },
			{ id: 6, status: 'crashed', recorded: true, items: [item(11, 'JobAssigned', 'Assigned')] },
			{ id: 7, status: 'success', recorded: true, items: [item(11, 'JobCompleted', 'Completed', { recovered: true })] },
			// n8n gave up on it before the trigger's output was recorded: not a run
			{ id: 9, status: 'error', recorded: false, items: [item(11, 'JobAssigned', 'Assigned')] },
			// the same job and event type in another status is another event
			{ id: 8, status: 'success', recorded: true, items: [item(11, 'JobStarted', 'Assigned')] },
		];
		const gate: GateRecord[] = [{ at: 0, body: body(11, 'JobStarted', 'InProgress'), answer: '200 n8n is starting up. Please wait' }];
		const fates = Object.fromEntries(classify(events, runs, gate).map((c) => [c.event.deliveryId, c.lostHow ? `${c.fate}: ${c.lostHow}` : c.fate]));
		expect(fates).toEqual({
			1: 'once',
			2: 'repeat-marked',
			3: 'repeat-unmarked',
			4: 'lost: crashed execution',
			5: 'lost: start-up page',
			6: 'recovered',
			7: 'lost: given up',
		});
	});

	it("names a job's first event answered only by n8n's start-up page apart from later ones, and tells a replay from catch-up", () => {
		const startUp = (jobId: number, eventType: string, jobStatus: string): GateRecord => ({ at: 0, body: body(jobId, eventType, jobStatus), answer: '200 n8n is starting up. Please wait' });
		const runs: Run[] = [{ id: 1, status: 'success', recorded: true, items: [item(10, 'JobStarted', 'InProgress', { recovered: true, possibleRepeat: true, recoveredBecause: 'restart' })] }];
		const gate = [startUp(10, 'JobAssigned', 'Assigned'), startUp(11, 'JobStarted', 'InProgress'), startUp(11, 'JobAssigned', 'Assigned'), { ...startUp(11, 'JobAssigned', 'Assigned'), answer: '200 {"status":"accepted"}' }];
		const counted = classify(events.slice(0, 5), runs, gate);
		expect(counted.map((c) => c.lostHow ?? c.fate)).toEqual([
			'start-up page, first event of the job',
			'recovered',
			'acknowledged, never run',
			// the node answered it too: the trigger saw it
			'acknowledged, never run',
			'start-up page',
		]);
		expect(counted[1].ran).toEqual([{ execution: 1, possibleRepeat: true, recovered: true, replayed: true }]);
	});

	it("names a job's first event the node acknowledged as never saved only when the saved memory counts no assignment", () => {
		const gate: GateRecord[] = [10, 11].map((jobId) => ({ at: 0, body: body(jobId, 'JobAssigned', 'Assigned'), answer: '200 {"status":"accepted"}' }));
		const counted = classify(events.slice(0, 5), [], gate);
		// job 10: the memory saved at the end knows only its completion; job 11: its assignment
		rememberedNothingOf(counted, (jobId) => (jobId === 10 ? { assignments: 0, withdrawals: 0, completed: true, lastHeardAt: 1 } : { assignments: 1, withdrawals: 0, lastHeardAt: 1 }));
		expect(counted.map((c) => c.lostHow)).toEqual([
			'first event of the job, never in the saved memory',
			// nor was its start, nor anything before it: the completion implies nothing then
			NOTHING_EARLIER_SAVED,
			// the completion was saved: the replay should have brought it back
			'acknowledged, never run',
			// saved (an assignment counted): the replay should have brought them back, or implied steps
			'acknowledged, never run',
			'acknowledged, never run',
		]);
	});

	it('names later events lost while the saved memory held no step of their job up to them, by start-up page too', () => {
		const startUp: GateRecord = { at: 0, body: body(11, 'JobStarted', 'InProgress'), answer: '200 n8n is starting up. Please wait' };
		const counted = classify(events.slice(0, 6), [], [startUp]);
		// job 10 never in the saved memory; job 11 known by its assignment
		rememberedNothingOf(counted, (jobId) => (jobId === 10 ? undefined : { assignments: 1, withdrawals: 0, lastHeardAt: 1 }));
		expect(counted.map((c) => c.lostHow)).toEqual([
			'first event of the job, never in the saved memory',
			NOTHING_EARLIER_SAVED,
			NOTHING_EARLIER_SAVED,
			'acknowledged, never run',
			// catch-up sees the job's newer status at its next pass
			'start-up page',
			'acknowledged, never run',
		]);
		// an execution that crashed holding an event no saved memory held: n8n does not await the save
		const crashed = classify(events.slice(0, 2), [{ id: 1, status: 'crashed', recorded: false, items: [item(10, 'JobStarted', 'InProgress')] }], []);
		rememberedNothingOf(crashed, () => ({ assignments: 0, withdrawals: 0, completed: true, lastHeardAt: 1 }));
		expect(crashed.map((c) => c.lostHow)).toEqual(['first event of the job, never in the saved memory', NOTHING_EARLIER_SAVED]);
		const held = classify(events.slice(0, 2), [{ id: 1, status: 'crashed', recorded: false, items: [item(10, 'JobStarted', 'InProgress')] }], []);
		rememberedNothingOf(held, () => ({ assignments: 1, withdrawals: 0, started: true, lastHeardAt: 1 }));
		expect(held.map((c) => c.lostHow)).toEqual(['acknowledged, never run', 'crashed execution']);
		const unknownStart = classify(events.slice(3, 5), [], [startUp]);
		rememberedNothingOf(unknownStart, () => undefined);
		expect(unknownStart.map((c) => c.lostHow)).toEqual(['first event of the job, never in the saved memory', STARTUP_NOTHING_EARLIER_SAVED]);
	});

	it("in queue mode names a start-up page loss beyond reach only when catch-up never asked the job's status after the page", () => {
		const page = '200 n8n is starting up. Please wait';
		const gate: GateRecord[] = [
			{ at: 1_000, body: body(10, 'JobCompleted', 'Completed'), answer: page },
			{ at: 1_000, body: body(11, 'JobCompleted', 'Completed'), answer: page },
			{ at: 1_000, body: body(11, 'JobStarted', 'InProgress'), answer: '200 {"status":"accepted"}' },
		];
		const counted = classify(events.slice(0, 6), [], gate);
		// job 10 was asked about before the page only; job 11 after it: catch-up held the job and failed to recover it
		mainNeverHeld(counted, gate, (jobId) => (jobId === 10 ? [500] : [2_000]));
		expect(counted.map((c) => c.lostHow)).toEqual([
			'acknowledged, never run',
			'acknowledged, never run',
			'start-up page, a job the main never held',
			'acknowledged, never run',
			'acknowledged, never run',
			'start-up page',
		]);
	});

	it('takes a delivered run as the real one and a recovered copy beside it as a repeat', () => {
		const runs: Run[] = [
			{ id: 1, status: 'success', recorded: true, items: [item(10, 'JobAssigned', 'Assigned', { recovered: true, possibleRepeat: true })] },
			{ id: 2, status: 'success', recorded: true, items: [item(10, 'JobAssigned', 'Assigned')] },
			{ id: 3, status: 'success', recorded: true, items: [item(10, 'JobStarted', 'InProgress', { recovered: true })] },
			{ id: 4, status: 'error', recorded: true, items: [item(10, 'JobStarted', 'InProgress')] },
		];
		const [assigned, started] = classify(events.slice(0, 2), runs, []);
		expect(assigned.fate).toBe('repeat-marked');
		expect(started.fate).toBe('repeat-unmarked');
	});

	it('counts a step implied by a later one as recovered, and as the real run when the step itself arrives later marked', () => {
		const implied = { recovered: true, recoveredBecause: 'implied' };
		const runs: Run[] = [
			{ id: 1, status: 'success', recorded: true, items: [item(10, 'JobStarted', 'InProgress', implied), item(10, 'JobCompleted', 'Completed')] },
			{ id: 2, status: 'success', recorded: true, items: [item(11, 'JobAssigned', 'Assigned', implied), item(11, 'JobStarted', 'InProgress')] },
			{ id: 3, status: 'success', recorded: true, items: [item(11, 'JobAssigned', 'Assigned', { possibleRepeat: true })] },
		];
		const [started, completed, assigned] = classify([events[1], events[2], events[3]], runs, []);
		expect(started.fate).toBe('recovered');
		expect(started.ran).toEqual([{ execution: 1, possibleRepeat: false, recovered: true, replayed: false, implied: true }]);
		expect(completed.fate).toBe('once');
		expect(assigned.fate).toBe('repeat-marked');
	});

	it('finds the items of an execution that never ran in what n8n queued for it', () => {
		const queued = { executionData: { nodeExecutionStack: [{ node: { name: 'T' }, data: { main: [[{ json: { jobId: 1 } }]] } }] }, resultData: { runData: {} } };
		const ran = { resultData: { runData: { T: [{ data: { main: [[{ json: { jobId: 2 } }], null] } }] } } };
		expect(triggerItems(queued, 'T')).toEqual({ items: [{ jobId: 1 }], recorded: false });
		expect(triggerItems(ran, 'T')).toEqual({ items: [{ jobId: 2 }], recorded: true });
		expect(triggerItems(null, 'T')).toEqual({ items: [], recorded: false });
	});

	it('measures how long before the next kill a lost event was acknowledged', () => {
		const lost = classify(events.slice(0, 2), [], [
			{ at: 1_000, body: body(10, 'JobAssigned', 'Assigned'), answer: '200 {"status":"accepted"}', answeredAt: 1_500 },
			{ at: 1_000, body: body(10, 'JobStarted', 'InProgress'), answer: 'no answer (ECONNREFUSED)', answeredAt: 1_200 },
		]);
		const gate = [{ at: 1_000, body: body(10, 'JobAssigned', 'Assigned'), answer: '200 {"status":"accepted"}', answeredAt: 1_500 }];
		expect(ackedBeforeKill(lost, gate, [{ plannedAt: 500, killedAt: 500 }, { plannedAt: 4_000, killedAt: 4_000 }])).toEqual([2.5]);
	});
});

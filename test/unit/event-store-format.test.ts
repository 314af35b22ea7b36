/**
 * The saved form of the trigger's memory (nodes/G2SentryTrigger/eventStore.ts), pinned byte for
 * byte: the decoded memory's field names may change, what static data holds may not (a running
 * workflow reads what the previous build saved). The expected strings below were produced by the
 * build that still used one-letter fields in memory. Every older format is still read.
 */
import { createStore, decodeJob, encodeJob, loadStore, saveStore, type JobMemory } from '../../nodes/G2SentryTrigger/eventStore';
import { recordEvent } from '../../nodes/G2SentryTrigger/events';

const T = 1_780_000_000_000;
const T36 = T.toString(36); // 'mppy1i4g'

describe('the saved form of one job (format 4: a.w.f.t.p.o.r)', () => {
	const every: JobMemory = {
		assignments: 3,
		withdrawals: 2,
		started: true,
		completed: true,
		canceled: true,
		countsInDoubt: true,
		assignmentImplied: true,
		assignmentFingerprints: ['AAAAAAAAAAAA', 'b-_cdefghijk'],
		unknownEventFingerprints: ['zzzzzzzzzzzz'],
		lastHeardAt: T,
		recentSteps: [`A${T36}`, `1s${(T + 500).toString(36)}`],
	};

	it.each<[string, JobMemory, string]>([
		['every field', every, '3.2.31.mppy1i4g.AAAAAAAAAAAA,b-_cdefghijk.zzzzzzzzzzzz.Amppy1i4g,1smppy1iic'],
		['counts and time only (empty lists left out)', { assignments: 0, withdrawals: 0, lastHeardAt: 5 }, '0.0.0.5'],
		['recent steps without fingerprints', { assignments: 1, withdrawals: 0, started: true, lastHeardAt: T, recentSteps: [`S${T36}`] }, '1.0.1.mppy1i4g...Smppy1i4g'],
		['unknown-event fingerprints only', { assignments: 1, withdrawals: 1, unknownEventFingerprints: ['zzzzzzzzzzzz'], lastHeardAt: T }, '1.1.0.mppy1i4g..zzzzzzzzzzzz'],
	])('%s: encoded exactly, and decoded back to the same memory', (_, memory, saved) => {
		expect(encodeJob(memory)).toBe(saved);
		expect(decodeJob(saved)).toEqual(memory);
	});

	it.each<[keyof JobMemory, number]>([
		['started', 1],
		['completed', 2],
		['canceled', 4],
		['countsInDoubt', 8],
		['assignmentImplied', 16],
	])('%s is flag bit %i, and true or absent in memory', (flag, bit) => {
		const memory: JobMemory = { assignments: 1, withdrawals: 0, lastHeardAt: T, [flag]: true };
		expect(encodeJob(memory)).toBe(`1.0.${bit}.${T36}`);
		expect(decodeJob(`1.0.${bit}.${T36}`)).toEqual(memory);
		expect(decodeJob(`1.0.0.${T36}`)).not.toHaveProperty(flag);
	});
});

describe('the saved store', () => {
	it('is exactly what the previous build saved for the same deliveries', () => {
		const store = createStore();
		const event = (eventType: string, jobId: number, jobStatus: string, guardianPhone: string | null = null) => ({ jobId, eventType, jobStatus, guardianPhone });
		recordEvent(store, event('JobAssigned', 42, 'Assigned', '+15550100'), T);
		recordEvent(store, event('JobStarted', 42, 'InProgress', '+15550100'), T + 500);
		recordEvent(store, event('JobAssigned', 7, 'Assigned', '+15550101'), T + 1000);
		recordEvent(store, event('JobWithdrawed', 7, 'New'), T + 1500);
		recordEvent(store, event('JobCompleted', 9, 'Completed', '+15550102'), T + 2000);
		recordEvent(store, event('SomethingNew', 9, 'Odd'), T + 2500);
		store.stamp = 'tag.1';
		expect(JSON.stringify(saveStore(store))).toBe(
			'{"v":4,"jobs":"7=1.1.0.mppy1ja4.f9KRVqKI_n18..Amppy1iw8,Wmppy1ja4 9=0.0.2.mppy1k1w..BPQIgFkZ0g-0.Cmppy1jo0 ' +
				'42=1.0.1.mppy1iic.YCzX-75BaI4t..Amppy1i4g,Smppy1iic","pruned":1780000000000,"stamp":"tag.1","written":1780000002000}',
		);
		expect(decodeJob(store.jobs['42'])).toEqual({
			assignments: 1,
			withdrawals: 0,
			started: true,
			assignmentFingerprints: ['YCzX-75BaI4t'],
			lastHeardAt: T + 500,
			recentSteps: [`A${T36}`, `S${(T + 500).toString(36)}`],
		});
	});

	it('reads format 4 and saves it back unchanged', () => {
		const saved = { v: 4, jobs: `5=1.0.1.${T36}...S${T36} 6=0.1.0.${T36}`, pruned: 3, stamp: 'tag.1', shared: 4, written: T, replayed: T - 1 };
		const store = loadStore(JSON.parse(JSON.stringify(saved)));
		expect(decodeJob(store.jobs['5'])).toEqual({ assignments: 1, withdrawals: 0, started: true, lastHeardAt: T, recentSteps: [`S${T36}`] });
		// the stamp is this process's copy's own (storeCache.ts), never taken from what was read
		expect(saveStore({ ...store, stamp: 'tag.1' })).toEqual(saved);
	});

	it('reads format 3 (one string, no step times, no written/replayed)', () => {
		const store = loadStore({ v: 3, jobs: `5=1.0.1.${T36} 6=0.1.0.${T36}`, pruned: 3, written: T, replayed: T });
		expect(decodeJob(store.jobs['5'])).toEqual({ assignments: 1, withdrawals: 0, started: true, lastHeardAt: T });
		expect(saveStore(store)).toEqual({ v: 4, jobs: `5=1.0.1.${T36} 6=0.1.0.${T36}`, pruned: 3 });
	});

	it('reads format 2 (the store record itself: one string per job key)', () => {
		const store = loadStore({ v: 2, jobs: { 5: `1.0.5.${T36}.AAAAAAAAAAAA` }, pruned: 3 });
		expect(decodeJob(store.jobs['5'])).toEqual({ assignments: 1, withdrawals: 0, started: true, canceled: true, assignmentFingerprints: ['AAAAAAAAAAAA'], lastHeardAt: T });
		expect(saveStore(store)).toEqual({ v: 4, jobs: `5=1.0.5.${T36}.AAAAAAAAAAAA`, pruned: 3 });
	});

	it('migrates format 1 (0.1.x: one object per job under the letters) to the named memory and to format 4', () => {
		const v1Job = { a: 2, w: 1, s: 1, c: 1, x: 1, p: ['AAAAAAAAAAAA'], o: ['zzzzzzzzzzzz'], t: T };
		const store = loadStore({ v: 1, rev: 7, size: 1, pruned: 3, jobs: { 5: v1Job } });
		expect(decodeJob(store.jobs['5'])).toEqual({
			assignments: 2,
			withdrawals: 1,
			started: true,
			completed: true,
			canceled: true,
			assignmentFingerprints: ['AAAAAAAAAAAA'],
			unknownEventFingerprints: ['zzzzzzzzzzzz'],
			lastHeardAt: T,
		});
		expect(saveStore(store)).toEqual({ v: 4, jobs: `5=2.1.7.${T36}.AAAAAAAAAAAA.zzzzzzzzzzzz`, pruned: 3 });
	});
});

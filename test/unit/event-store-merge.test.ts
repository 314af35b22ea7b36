/**
 * The trigger's memory when several n8n processes keep copies of it (queue mode): copies are
 * merged, never chosen between; the saved format stays flat; 0.1.x data is still read.
 */
import { clearStoreCache, currentStore } from '../../nodes/G2SentryTrigger/storeCache';
import { createStore, decodeJob, loadStore, mergeJob, mergeStores, saveStore, type EventStore, type JobMemory } from '../../nodes/G2SentryTrigger/eventStore';
import { effectiveLimits, MIN_RETENTION_MS, pruneStore, recordEvent, type IncomingEvent } from '../../nodes/G2SentryTrigger/events';

const STATUS: Record<string, string> = { JobAssigned: 'Assigned', JobStarted: 'InProgress', JobCompleted: 'Completed', JobWithdrawed: 'New' };
const ev = (eventType: string, jobId = 1, guardianPhone: string | null = null): IncomingEvent => ({
	jobId,
	eventType,
	jobStatus: STATUS[eventType] ?? 'Assigned',
	guardianPhone,
});
const copy = (store: EventStore) => loadStore(JSON.parse(JSON.stringify(store)));
const isDup = (store: EventStore, event: IncomingEvent, now = 10) => recordEvent(store, event, now).duplicate;

describe('store format', () => {
	// the exact saved form of each field, and its round trip: event-store-format.test.ts
	it('keeps one short string per job', () => {
		const store = createStore();
		recordEvent(store, ev('JobAssigned', 42, '+15550100'), 1_780_000_000_000);
		expect(typeof store.jobs['42']).toBe('string');
		// the step time (replay.ts) is the last field, dropped once past the replay window
		expect(store.jobs['42'].length).toBeLessThan(40);
	});

	it('reads the 0.1.x format (one object per job) and keeps its memory', () => {
		const old = { v: 1, rev: 7, size: 1, pruned: 3, jobs: {} as Record<string, unknown> };
		const v1 = createStore();
		recordEvent(v1, ev('JobAssigned', 9, '+15550100'), 100);
		// what 0.1.x saved for that delivery: one object per job, under the saved format's letters
		const { assignments, withdrawals, assignmentFingerprints, lastHeardAt } = decodeJob(v1.jobs['9']);
		old.jobs['9'] = { a: assignments, w: withdrawals, p: assignmentFingerprints, t: lastHeardAt };
		const migrated = loadStore(JSON.parse(JSON.stringify(old)));
		expect(migrated.v).toBe(2);
		expect(migrated.pruned).toBe(3);
		expect(isDup(migrated, ev('JobAssigned', 9, '+15550100'))).toBe(true);
		expect(isDup(migrated, ev('JobStarted', 9))).toBe(false);
	});

	it('saves the jobs as one string (n8n wraps and copies every key of static data per callback) and reads them back', () => {
		const store = createStore();
		recordEvent(store, ev('JobAssigned', 42, '+15550100'), 1_780_000_000_000);
		recordEvent(store, ev('JobStarted', 42), 1_780_000_000_500);
		recordEvent(store, ev('JobAssigned', 7), 1_780_000_001_000);
		store.stamp = 'tag.1';
		const saved = JSON.parse(JSON.stringify(saveStore(store)));
		expect(saved).toEqual({ v: 4, jobs: expect.any(String), pruned: store.pruned, stamp: 'tag.1', written: 1_780_000_001_000 });
		expect(saved.jobs.split(' ')).toHaveLength(2);
		const loaded = loadStore(saved);
		expect(loaded).toEqual({ v: 2, jobs: store.jobs, pruned: store.pruned, written: 1_780_000_001_000 });
		expect(isDup(loaded, ev('JobStarted', 42))).toBe(true);
		expect(isDup(loaded, ev('JobCompleted', 42))).toBe(false);
		expect(loadStore(saveStore(createStore())).jobs).toEqual({});
	});

	it('reads the format of earlier builds (one key per job) and saves it in the current one', () => {
		const v2 = createStore();
		recordEvent(v2, ev('JobAssigned', 5, '+15550100'), 100);
		const loaded = loadStore(JSON.parse(JSON.stringify(v2)));
		expect(loaded.jobs).toEqual(v2.jobs);
		expect(saveStore(loaded).jobs).toBe(`5=${v2.jobs['5']}`);
	});

	it('leaves out what could not be read back, and drops malformed saved entries', () => {
		const foreign = { v: 2 as const, jobs: { 1: '1.0.0.a', 'x y': '1.0.0.a', 'a=b': '1.0.0.a', 2: 'has space', 3: '' }, pruned: 0 };
		expect(saveStore(foreign).jobs).toBe('1=1.0.0.a');
		const loaded = loadStore({ v: 3, jobs: '1=1.0.0.a  =x 2= 3 4=1.0.0.b', pruned: 9 });
		expect(loaded).toEqual({ v: 2, jobs: { 1: '1.0.0.a', 4: '1.0.0.b' }, pruned: 9 });
		expect(loadStore({ v: 3, jobs: 5 }).jobs).toEqual({});
	});

	it('drops malformed entries instead of failing', () => {
		const loaded = loadStore({ v: 2, jobs: { 1: 'garbage', 2: { a: 1 }, 3: 5 }, pruned: 'x' });
		expect(Object.keys(loaded.jobs)).toEqual(['1']);
		expect(isDup(loaded, ev('JobAssigned', 1))).toBe(false);
	});
});

describe('merging two copies', () => {
	it('keeps what either copy recorded (the other process saved over it)', () => {
		const saved = createStore();
		const first = copy(saved);
		const second = copy(saved);
		recordEvent(first, ev('JobAssigned', 1), 1);
		recordEvent(second, ev('JobAssigned', 2), 2);
		recordEvent(second, ev('JobStarted', 1), 3);
		const merged = mergeStores(copy(first), second);
		expect(Object.keys(merged.jobs).sort()).toEqual(['1', '2']);
		for (const event of [ev('JobAssigned', 1), ev('JobAssigned', 2), ev('JobStarted', 1)]) expect(isDup(merged, event)).toBe(true);
		expect(isDup(merged, ev('JobCompleted', 1))).toBe(false);
	});

	it('merges counts monotonically and unites flags and fingerprints', () => {
		const x: JobMemory = { assignments: 2, withdrawals: 1, started: true, assignmentFingerprints: ['P1', 'P2'], lastHeardAt: 10 };
		const y: JobMemory = { assignments: 1, withdrawals: 1, completed: true, assignmentFingerprints: ['P3'], unknownEventFingerprints: ['O1'], lastHeardAt: 20 };
		// the copies counted different assignments: the counts are lower bounds from now on
		expect(mergeJob(x, y)).toEqual({
			assignments: 3,
			withdrawals: 1,
			started: true,
			completed: true,
			assignmentFingerprints: ['P1', 'P2', 'P3'],
			unknownEventFingerprints: ['O1'],
			lastHeardAt: 20,
			countsInDoubt: true,
		});
		// merging is order-free and idempotent
		expect(mergeJob(y, x)).toEqual(mergeJob(x, y));
		expect(mergeJob(mergeJob(x, y), y)).toEqual(mergeJob(x, y));
	});

	it('keeps the re-assignment rule: a JobAssigned after a withdrawal seen elsewhere fires again', () => {
		const a = createStore();
		recordEvent(a, ev('JobAssigned', 1), 1);
		const b = copy(a);
		recordEvent(b, ev('JobWithdrawed', 1), 2);
		const merged = mergeStores(copy(a), b);
		// the same payload again after a withdrawal: emitted, flagged as a possible repeat
		expect(recordEvent(merged, ev('JobAssigned', 1), 3)).toEqual({ duplicate: false, stale: false, possibleRepeat: true });
		expect(recordEvent(merged, ev('JobStarted', 1), 4)).toEqual({ duplicate: false, stale: false });
		expect(isDup(merged, ev('JobStarted', 1))).toBe(true);
	});

	it('never drops on counts after copies that disagree were merged: the withdrawal may be another one', () => {
		// copy X lagged: it never saw A1 and counted the re-assignment A2 (same Guardian) as the
		// first; copy Y saw A1 and its withdrawal W1. max() says a=1, w=1; the truth is a=2, w=1.
		const x = createStore();
		recordEvent(x, ev('JobAssigned', 1, '+15550100'), 3);
		const y = createStore();
		recordEvent(y, ev('JobAssigned', 1, '+15550100'), 1);
		recordEvent(y, ev('JobWithdrawed', 1), 2);
		const merged = mergeStores(copy(x), y);
		// the withdrawal of A2 is a real event: emitted, marked
		expect(recordEvent(merged, ev('JobWithdrawed', 1), 4)).toMatchObject({ duplicate: false, possibleRepeat: true });
		// a copy that counted nothing for the job leaves the other's counts exact
		const started = createStore();
		recordEvent(started, ev('JobStarted', 1), 5);
		const exact = mergeStores(copy(y), started);
		expect(isDup(exact, ev('JobWithdrawed', 1))).toBe(true);
	});

	it('applies retention after the merge', () => {
		const limits = effectiveLimits({ maxAgeMs: MIN_RETENTION_MS });
		const old = createStore();
		recordEvent(old, ev('JobAssigned', 1), 0, limits);
		const fresh = createStore();
		recordEvent(fresh, ev('JobAssigned', 2), MIN_RETENTION_MS + 10, limits);
		const merged = mergeStores(fresh, old);
		pruneStore(merged, MIN_RETENTION_MS + 120_000, limits);
		expect(Object.keys(merged.jobs)).toEqual(['2']);
	});
});

describe('the in-process copy (storeCache)', () => {
	beforeEach(() => clearStoreCache());

	it('merges a saved copy that lacks the records of this process instead of dropping either side', () => {
		const mine = currentStore('wf:node:webhook', undefined, 10);
		recordEvent(mine, ev('JobAssigned', 1), 1);
		// another process saved over it: it knows job 2 but not job 1
		const theirs = createStore();
		recordEvent(theirs, ev('JobAssigned', 2), 2);
		const next = currentStore('wf:node:webhook', JSON.parse(JSON.stringify(theirs)), 10);
		expect(isDup(next, ev('JobAssigned', 1))).toBe(true);
		expect(isDup(next, ev('JobAssigned', 2))).toBe(true);
	});

	it('does not share state with the saved object it was given', () => {
		const saved = { v: 2, jobs: {}, pruned: 0 };
		const store = currentStore('k', saved, 10);
		recordEvent(store, ev('JobAssigned', 1), 1);
		expect(saved.jobs).toEqual({});
	});

	it('stamps its copy, and the stamp is saved with it', () => {
		const first = currentStore('k', undefined, 10);
		expect(typeof first.stamp).toBe('string');
		expect(JSON.parse(JSON.stringify(first)).stamp).toBe(first.stamp);
		// another copy (another node, or the same node in another mode) has its own stamp
		expect(currentStore('k2', undefined, 10).stamp).not.toBe(first.stamp);
	});

	it('does not read the saved jobs when they were saved from this very copy, at the last save or an earlier one', () => {
		const store = currentStore('k', undefined, 10);
		recordEvent(store, ev('JobAssigned', 1), 1);
		const older = JSON.parse(JSON.stringify(store)) as EventStore;
		recordEvent(store, ev('JobAssigned', 2), 2);
		const latestSave = JSON.parse(JSON.stringify(store)) as EventStore;
		let reads = 0;
		// what n8n hands the node: the jobs read through a proxy
		const watched = (saved: EventStore) => ({ ...saved, jobs: new Proxy(saved.jobs, { ownKeys: (target) => (reads++, Reflect.ownKeys(target)) }) });
		// a request that loaded static data before the previous request's save gets the older one
		for (const saved of [latestSave, older]) {
			const next = currentStore('k', watched(saved), 10);
			expect(next).toBe(store);
			expect(isDup(next, ev('JobAssigned', 1))).toBe(true);
			expect(isDup(next, ev('JobAssigned', 2))).toBe(true);
		}
		expect(reads).toBe(0);
	});

	it('merges a copy saved from another copy (the same node in another mode)', () => {
		const webhook = currentStore('wf:node:webhook', undefined, 10);
		recordEvent(webhook, ev('JobAssigned', 1), 1);
		const manual = currentStore('wf:node:manual', JSON.parse(JSON.stringify(webhook)), 10);
		recordEvent(manual, ev('JobAssigned', 2), 2);
		const next = currentStore('wf:node:webhook', JSON.parse(JSON.stringify(manual)), 10);
		expect(next).toBe(webhook);
		expect(Object.keys(next.jobs).sort()).toEqual(['1', '2']);
		expect(manual.stamp).not.toBe(webhook.stamp);
	});

	it('keeps two processes that save over each other whole (each module copy is one process)', () => {
		const processes = [0, 1].map(() => {
			let module: typeof import('../../nodes/G2SentryTrigger/storeCache') | undefined;
			jest.isolateModules(() => {
				module = jest.requireActual<typeof import('../../nodes/G2SentryTrigger/storeCache')>('../../nodes/G2SentryTrigger/storeCache');
			});
			return module!;
		});
		let database: unknown = undefined; // the workflow's static data, last writer wins
		const deliver = (p: number, event: IncomingEvent, now: number) => {
			const store = processes[p].currentStore('wf:node:webhook', database === undefined ? undefined : JSON.parse(database as string), now);
			const verdict = recordEvent(store, event, now);
			database = JSON.stringify(saveStore(store));
			return verdict.duplicate ? 'dup' : verdict.possibleRepeat ? 'repeat?' : 'new';
		};
		// alternating, each process several times in a row (its own stamp matches then)
		expect(deliver(0, ev('JobAssigned', 1), 1)).toBe('new');
		expect(deliver(0, ev('JobAssigned', 2), 2)).toBe('new');
		// process 1 reads a copy another process saved: an assignment seen before may be a
		// re-assignment whose withdrawal that process holds, so it is emitted, marked
		expect(deliver(1, ev('JobAssigned', 1), 3)).toBe('repeat?');
		expect(deliver(1, ev('JobStarted', 1), 4)).toBe('new');
		expect(deliver(1, ev('JobAssigned', 3), 5)).toBe('new');
		// a start happens once per job: a proven duplicate, dropped
		expect(deliver(0, ev('JobStarted', 1), 6)).toBe('dup');
		expect(deliver(0, ev('JobAssigned', 3), 7)).toBe('repeat?');
		// a save of process 1 lost to process 0's concurrent save: process 1 still knows job 4
		const before = database;
		expect(deliver(1, ev('JobAssigned', 4), 8)).toBe('new');
		database = before;
		expect(deliver(0, ev('JobAssigned', 5), 9)).toBe('new');
		expect(deliver(1, ev('JobAssigned', 4), 10)).toBe('repeat?');
		expect(deliver(1, ev('JobStarted', 4), 11)).toBe('new');
		expect(deliver(0, ev('JobStarted', 4), 12)).toBe('dup');
		const saved = loadStore(JSON.parse(database as string));
		expect(Object.keys(saved.jobs).sort()).toEqual(['1', '2', '3', '4', '5']);
	});
});


describe('hostile saved data', () => {
	const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '0', '-1', '1.5', '01', '1e3', '+1', '99999999999999999'];

	it.each(PROTO_KEYS)('never takes %p as a job key, in any saved format, and counts it as unreadable', (key) => {
		const formats = [
			{ v: 3, jobs: `${key}=1.0.1.a 7=1.0.1.a`, pruned: 0 },
			JSON.parse(`{"v":2,"jobs":{${JSON.stringify(key)}:"1.0.1.a","7":"1.0.1.a"},"pruned":0}`),
			JSON.parse(`{"v":1,"jobs":{${JSON.stringify(key)}:{"a":1,"s":1},"7":{"a":1,"s":1}}}`),
		];
		for (const saved of formats) {
			const problems = { count: 0 };
			const store = loadStore(saved, problems);
			expect(Object.keys(store.jobs)).toEqual(['7']);
			expect(Object.getPrototypeOf(store.jobs)).toBeNull();
			expect(problems.count).toBe(1);
			// a delivery for a job still works, and the prototype of plain objects is untouched
			expect(recordEvent(store, ev('JobStarted', 7), 10)).toEqual({ duplicate: true });
			expect(({} as Record<string, unknown>).a).toBeUndefined();
		}
	});

	it('ignores hostile keys in a copy merged from another process', () => {
		const into = createStore();
		const other = { v: 2 as const, jobs: JSON.parse('{"__proto__":"1.0.0.a","constructor":"1.0.0.a","5":"1.0.0.a"}') as Record<string, string>, pruned: 0 };
		mergeStores(into, other);
		expect(Object.keys(into.jobs)).toEqual(['5']);
		expect(saveStore(into).jobs).toBe('5=1.0.0.a');
	});

	it.each([
		['huge job text', { v: 3, jobs: `1=${'1'.repeat(100_000)}`, pruned: 0 }],
		['jobs of the wrong type', { v: 2, jobs: 'x', pruned: 0 }],
		['an array of jobs', { v: 2, jobs: ['1.0.0.a'], pruned: 0 }],
		['an unknown version', { v: 9, jobs: {}, pruned: 0 }],
		['a string', 'garbage'],
		['a number', 42],
		['an array', []],
	])('starts empty on %s and says so, never throws', (_name, saved) => {
		const problems = { count: 0 };
		expect(Object.keys(loadStore(saved, problems).jobs)).toEqual([]);
		expect(problems.count).toBeGreaterThan(0);
	});

	it('does not call nothing unreadable: a first run and a fresh store', () => {
		for (const saved of [undefined, null, {}, saveStore(createStore())]) {
			const problems = { count: 0 };
			loadStore(saved, problems);
			expect(problems.count).toBe(0);
		}
	});

	it('bounds wrong-typed counts and times of 0.1.x data instead of trusting them', () => {
		const store = loadStore({ v: 1, jobs: { 3: { a: Infinity, w: '5', t: -1, p: ['ok_fingerpri', 'not ok!'] } } });
		expect(decodeJob(store.jobs['3'])).toEqual({ assignments: 0, withdrawals: 0, lastHeardAt: 0, assignmentFingerprints: ['ok_fingerpri'] });
	});
});

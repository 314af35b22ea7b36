/**
 * The trigger's memory when several n8n processes keep copies of it (queue mode): copies are
 * merged, never chosen between; the saved format stays flat; 0.1.x data is still read.
 */
import { clearStoreCache, currentStore } from '../../nodes/G2SentryTrigger/storeCache';
import { decodeJob, encodeJob, mergeJob } from '../../nodes/G2SentryTrigger/eventStore';
import {
	createStore,
	effectiveLimits,
	loadStore,
	mergeStores,
	MIN_RETENTION_MS,
	pruneStore,
	recordEvent,
	type EventStore,
	type IncomingEvent,
} from '../../nodes/G2SentryTrigger/events';

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
	it('keeps one short string per job and round-trips every field', () => {
		const memory = { a: 3, w: 2, s: 1 as const, c: 1 as const, x: 1 as const, p: ['AAAAAAAAAAAA', 'b-_cdefghijk'], o: ['zzzzzzzzzzzz'], t: 1_780_000_000_000 };
		expect(decodeJob(encodeJob(memory))).toEqual(memory);
		expect(decodeJob(encodeJob({ a: 0, w: 0, t: 5 }))).toEqual({ a: 0, w: 0, t: 5 });
		const store = createStore();
		recordEvent(store, ev('JobAssigned', 42, '+15550100'), 1_780_000_000_000);
		expect(typeof store.jobs['42']).toBe('string');
		expect(store.jobs['42'].length).toBeLessThan(30);
	});

	it('reads the 0.1.x format (one object per job) and keeps its memory', () => {
		const old = { v: 1, rev: 7, size: 1, pruned: 3, jobs: {} as Record<string, unknown> };
		const v1 = createStore();
		recordEvent(v1, ev('JobAssigned', 9, '+15550100'), 100);
		// what 0.1.x saved for that delivery
		old.jobs['9'] = { ...decodeJob(v1.jobs['9']) };
		const migrated = loadStore(JSON.parse(JSON.stringify(old)));
		expect(migrated.v).toBe(2);
		expect(migrated.pruned).toBe(3);
		expect(isDup(migrated, ev('JobAssigned', 9, '+15550100'))).toBe(true);
		expect(isDup(migrated, ev('JobStarted', 9))).toBe(false);
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
		const x = { a: 2, w: 1, s: 1 as const, p: ['P1', 'P2'], t: 10 };
		const y = { a: 1, w: 1, c: 1 as const, p: ['P3'], o: ['O1'], t: 20 };
		expect(mergeJob(x, y)).toEqual({ a: 3, w: 1, s: 1, c: 1, p: ['P1', 'P2', 'P3'], o: ['O1'], t: 20 });
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
		expect(isDup(merged, ev('JobWithdrawed', 1))).toBe(true);
		// the same payload again after a withdrawal: emitted, flagged as a possible repeat
		expect(recordEvent(merged, ev('JobAssigned', 1), 3)).toEqual({ duplicate: false, stale: false, possibleRepeat: true });
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
		const mine = currentStore('wf:node:webhook', undefined);
		recordEvent(mine, ev('JobAssigned', 1), 1);
		// another process saved over it: it knows job 2 but not job 1
		const theirs = createStore();
		recordEvent(theirs, ev('JobAssigned', 2), 2);
		const next = currentStore('wf:node:webhook', JSON.parse(JSON.stringify(theirs)));
		expect(isDup(next, ev('JobAssigned', 1))).toBe(true);
		expect(isDup(next, ev('JobAssigned', 2))).toBe(true);
	});

	it('does not share state with the saved object it was given', () => {
		const saved = { v: 2, jobs: {}, pruned: 0 };
		const store = currentStore('k', saved);
		recordEvent(store, ev('JobAssigned', 1), 1);
		expect(saved.jobs).toEqual({});
	});
});

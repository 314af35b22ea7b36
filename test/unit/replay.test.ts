/**
 * Replay after a restart (nodes/G2SentryTrigger/replay.ts): which steps a process that reads a
 * predecessor's memory re-emits, that it does so once, and the format-4 step times with
 * migration from formats 1–3 (no step times: nothing to replay).
 */
import { createStore, decodeJob, loadStore, saveStore, type EventStore } from '../../nodes/G2SentryTrigger/eventStore';
import { recordEvent, type IncomingEvent } from '../../nodes/G2SentryTrigger/events';
import { MAX_REPLAYS, REPLAY_WINDOW_MS, replayedItems, takeReplay } from '../../nodes/G2SentryTrigger/replay';
import { clearStoreCache, currentStore } from '../../nodes/G2SentryTrigger/storeCache';

const STATUS: Record<string, string> = { JobAssigned: 'Assigned', JobStarted: 'InProgress', JobCompleted: 'Completed', JobWithdrawed: 'New' };
const ev = (eventType: string, jobId: number, jobStatus = STATUS[eventType]): IncomingEvent => ({ jobId, eventType, jobStatus, guardianPhone: eventType === 'JobAssigned' ? '+15550100' : null });
const ALL = { enabled: true, wanted: ['JobAssigned', 'JobStarted', 'JobCompleted', 'JobWithdrawed'], dropStale: false };
const T = 1_780_000_000_000;
const KEY = 'wf:node:webhook';
/** What static data holds after a save (JSON, as n8n stores it), stamped by another process. */
const savedBy = (store: EventStore, stamp = 'gone.1') => JSON.parse(JSON.stringify(saveStore({ ...store, stamp }))) as unknown;
/** A process started afresh reads what its predecessor saved. */
const restart = (saved: unknown, now: number) => {
	clearStoreCache();
	return currentStore(KEY, saved, now);
};
const what = (items: Array<{ json: Record<string, unknown> }>) => items.map((i) => `${i.json.jobId} ${i.json.eventType}/${i.json.jobStatus}`);

beforeEach(() => clearStoreCache());

describe('replay after a restart', () => {
	it('re-emits every step recorded within the window before the predecessor last wrote, marked, once per process', () => {
		const before = createStore();
		recordEvent(before, ev('JobAssigned', 1), T - REPLAY_WINDOW_MS - 1); // too early
		recordEvent(before, ev('JobAssigned', 2), T - REPLAY_WINDOW_MS + 5);
		recordEvent(before, ev('JobStarted', 2), T - 1_000);
		recordEvent(before, ev('JobCompleted', 3), T); // the predecessor's last write
		const store = restart(savedBy(before), T + 60_000);
		const items = replayedItems(store, ALL, T + 60_000);
		expect(what(items)).toEqual(['2 JobAssigned/Assigned', '2 JobStarted/InProgress', '3 JobCompleted/Completed']);
		for (const { json } of items) {
			expect(json).toMatchObject({ possibleRepeat: true, recovered: true, recoveredBecause: 'restart', guardianPhone: null, jobName: null, stale: false });
		}
		expect(json(items[2]).receivedAt).toBe(new Date(T).toISOString());
		// taken: the same process does not replay again
		expect(replayedItems(store, ALL, T + 61_000)).toEqual([]);
	});

	it('replays a step again only while the process that replayed it did not outlive the window, and at most MAX_REPLAYS times', () => {
		const before = createStore();
		recordEvent(before, ev('JobCompleted', 3), T);
		let saved = savedBy(before);
		const replays: string[][] = [];
		// crash loop: each process replays, then dies without recording anything more
		for (let i = 1; i <= MAX_REPLAYS + 1; i++) {
			const now = T + i * 60_000;
			const store = restart(saved, now);
			replays.push(what(replayedItems(store, ALL, now)));
			saved = savedBy(store, `gone.${i + 1}`);
		}
		expect(replays).toEqual([...Array.from({ length: MAX_REPLAYS }, () => ['3 JobCompleted/Completed']), []]);
		// a process that replays and lives on past the window: the next restart replays nothing of it
		const lived = restart(savedBy(before), T + 60_000);
		expect(replayedItems(lived, ALL, T + 60_000)).toHaveLength(1);
		recordEvent(lived, ev('JobAssigned', 4), T + 60_000 + REPLAY_WINDOW_MS + 1);
		expect(what(replayedItems(restart(savedBy(lived, 'gone.2'), T + 200_000), ALL, T + 200_000))).toEqual(['4 JobAssigned/Assigned']);
	});

	it('a second restart soon after the first replays what was recorded since, and the replay again', () => {
		const before = createStore();
		recordEvent(before, ev('JobAssigned', 1), T);
		const first = restart(savedBy(before), T + 20_000);
		expect(what(replayedItems(first, ALL, T + 20_000))).toEqual(['1 JobAssigned/Assigned']);
		recordEvent(first, ev('JobStarted', 1), T + 21_000);
		// the replay itself is within the window before the first process's last write: again
		const second = restart(savedBy(first, 'gone.2'), T + 40_000);
		expect(what(replayedItems(second, ALL, T + 40_000))).toEqual(['1 JobAssigned/Assigned', '1 JobStarted/InProgress']);
	});

	it('replays nothing for a memory this process saved itself, or one it already holds', () => {
		const own = currentStore(KEY, undefined, T);
		recordEvent(own, ev('JobAssigned', 1), T);
		const saved = JSON.parse(JSON.stringify(saveStore(own))) as unknown;
		// the in-process copy was evicted (the cache keeps the 50 most recently used): read back,
		// it carries this process's stamp
		for (let i = 0; i < 60; i++) currentStore(`other:${i}`, undefined, T);
		expect(takeReplay(currentStore(KEY, saved, T + 1_000), T + 1_000)).toEqual([]);
		// another process's copy read while this one has its own: merged, not replayed
		const other = createStore();
		recordEvent(other, ev('JobAssigned', 2), T + 2_000);
		expect(takeReplay(currentStore(KEY, savedBy(other), T + 3_000), T + 3_000)).toEqual([]);
	});

	it('with the option off emits nothing and marks the steps as done; filters Events and stale steps', () => {
		const before = createStore();
		recordEvent(before, ev('JobAssigned', 2), T - 2_000);
		// job 1's first event is its completion (so it implies no start: implied.ts)
		recordEvent(before, ev('JobCompleted', 1), T - 1_000);
		recordEvent(before, ev('JobStarted', 1), T); // after the completion: stale
		const off = restart(savedBy(before), T + 5_000);
		expect(replayedItems(off, { ...ALL, enabled: false }, T + 5_000)).toEqual([]);
		expect(off.replayed).toBe(T);
		expect(replayedItems(restart(savedBy(off, 'gone.2'), T + 6_000), ALL, T + 6_000)).toEqual([]);
		const wanted = replayedItems(restart(savedBy(before), T + 5_000), { ...ALL, wanted: ['JobCompleted', 'JobStarted'], dropStale: true }, T + 5_000);
		expect(what(wanted)).toEqual(['1 JobCompleted/Completed']);
		const stale = replayedItems(restart(savedBy(before), T + 5_000), ALL, T + 5_000);
		expect(stale.map((i) => i.json.stale)).toEqual([false, false, true]);
	});

	it('records duplicates and unknown event types as no step; tells a cancellation from a withdrawal', () => {
		const before = createStore();
		recordEvent(before, ev('JobAssigned', 1), T - 3_000);
		recordEvent(before, ev('JobAssigned', 1), T - 2_500); // the vendor's retry: a duplicate
		recordEvent(before, ev('JobWithdrawed', 1), T - 2_000);
		recordEvent(before, ev('JobWithdrawed', 2, 'Canceled'), T - 1_000);
		recordEvent(before, ev('JobRescheduled', 3, 'Assigned'), T);
		const items = replayedItems(restart(savedBy(before), T + 1_000), ALL, T + 1_000);
		expect(what(items)).toEqual(['1 JobAssigned/Assigned', '1 JobWithdrawed/New', '2 JobWithdrawed/Canceled']);
	});

	it('a live process drops step times past the window, so the saved memory stays short', () => {
		const store = createStore();
		recordEvent(store, ev('JobAssigned', 1), T);
		expect(decodeJob(store.jobs['1']).recentSteps).toHaveLength(1);
		recordEvent(store, ev('JobAssigned', 2), T + REPLAY_WINDOW_MS + 60_001); // a prune pass
		expect(decodeJob(store.jobs['1']).recentSteps).toBeUndefined();
		recordEvent(store, ev('JobStarted', 2), T + REPLAY_WINDOW_MS * 3);
		expect(decodeJob(store.jobs['2']).recentSteps).toHaveLength(1);
	});
});

describe('saved format 4 and migration', () => {
	it('saves step times, the last write and the last replay, and reads them back', () => {
		const store = createStore();
		recordEvent(store, ev('JobAssigned', 7), T);
		store.replayed = T - 5;
		const loaded = loadStore(JSON.parse(JSON.stringify(saveStore(store))));
		expect(loaded).toMatchObject({ written: T, replayed: T - 5 });
		expect(decodeJob(loaded.jobs['7']).recentSteps).toEqual([`A${T.toString(36)}`]);
	});

	it.each([
		['format 1 (0.1.x, one object per job)', { v: 1, pruned: 0, jobs: { 7: { a: 1, w: 0, t: T } }, stamp: 'gone.1' }],
		['format 2 (one key per job)', { v: 2, pruned: 0, jobs: { 7: `1.0.0.${T.toString(36)}` }, stamp: 'gone.1' }],
		['format 3 (one string)', { v: 3, pruned: 0, jobs: `7=1.0.0.${T.toString(36)}`, stamp: 'gone.1' }],
	])('reads %s with its memory and nothing to replay', (_, saved) => {
		const store = restart(saved, T + 1_000);
		expect(store.jobs['7']).toBe(`1.0.0.${T.toString(36)}`);
		expect(takeReplay(store, T + 1_000)).toEqual([]);
		expect(recordEvent(store, ev('JobAssigned', 7), T + 2_000).duplicate).toBe(false); // no payload fingerprint kept
	});

	it('ignores step entries that are not ours', () => {
		const saved = { v: 4, pruned: 0, jobs: `7=1.0.0.${T.toString(36)}...Q${T.toString(36)},A-1,A${T.toString(36)}`, stamp: 'gone.1', written: T };
		expect(takeReplay(restart(saved, T + 1_000), T + 1_000).map((s) => s.eventType)).toEqual(['JobAssigned']);
	});
});

const json = (item: { json: Record<string, unknown> }) => item.json;

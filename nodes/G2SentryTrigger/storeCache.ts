/**
 * The newest dedupe store of each trigger node in this n8n process.
 *
 * n8n loads a workflow's static data when a request arrives and saves it after webhook()
 * returns, so two deliveries of the same event arriving together both read the old store and
 * both look new. Deciding against this in-process copy (read, decide and write without an
 * await in between) serialises them within one process.
 *
 * In queue mode several webhook processes load and save the same static data, each saving the
 * whole object (last writer wins): the saved copy may lack what this process recorded, and this
 * copy lacks what the others recorded. So the two are merged, never chosen between: this
 * process's records go back into the saved copy with its next save, and the others' records
 * become known here.
 *
 * Reading and merging touch every job (about a millisecond at 5,000 jobs), so they are skipped
 * when they cannot add anything. Each in-process copy has a stamp of its own (this process, this
 * copy), saved with it. A saved copy carrying it was serialised from this very copy, at the
 * latest save or an earlier one (a request may load static data before the previous request's
 * save): it holds nothing this copy lacks. A saved copy with another stamp (another process, the
 * same node in another mode, a restart, data from before stamps) is merged as before, and marks
 * the memory as shared (EventStore.shared): another process may be recording events this copy
 * does not hold yet, so counts are no proof of a duplicate for a while (events.ts).
 */
import { randomBytes } from 'node:crypto';

import { loadStore, mergeStores, type EventStore } from './eventStore';
import { SHARED_DOUBT_MS } from './events';
import { noteReplayDue } from './replay';

/** How long a copy saved before this process served the workflow keeps the memory in doubt. */
export const PREDECESSOR_DOUBT_MS = 10 * 60 * 1000;

/** The key of the node's static data that holds the memory. */
export const STORE_KEY = 'deliveries';

/**
 * The in-process store of one trigger node in one mode. Catch-up (trigger mode) uses the
 * production webhook's key: both must decide against the same copy.
 */
export function storeCacheKey(workflowId: string | undefined, nodeId: string, mode: string): string {
	return `${workflowId ?? ''}:${nodeId}:${mode}`;
}

/** A few stores of up to a few hundred KB each; the least recently used goes first. */
const MAX_CACHED = 50;
const latest = new Map<string, EventStore>();

/** Tells this process's stamps from every other process's (48 random bits). */
let processTag = randomBytes(6).toString('base64url');
let copies = 0;

const stampOf = (persisted: unknown): unknown =>
	typeof persisted === 'object' && persisted !== null ? (persisted as { stamp?: unknown }).stamp : undefined;

/**
 * The store to decide against and write back: the caller records the delivery and assigns it to
 * static data with no await in between.
 */
export function currentStore(key: string, persisted: unknown, now: number, problems: { count: number } = { count: 0 }): EventStore {
	const cached = latest.get(key);
	let store: EventStore;
	const savedStamp = stampOf(persisted);
	if (cached !== undefined && cached.stamp !== undefined && savedStamp === cached.stamp) {
		store = cached;
	} else {
		// loadStore returns a detached copy: the saved one belongs to this request's workflow object.
		const saved = loadStore(persisted, problems);
		const foreign = savedStamp !== undefined && savedStamp !== cached?.stamp;
		// First read in this process of a copy another process saved (a predecessor before a
		// restart, or another live process): its latest steps may have been acknowledged and never
		// run (replay.ts). A copy this process saved itself (its cached copy was evicted) is not.
		const predecessor = cached === undefined && typeof savedStamp === 'string' && !savedStamp.startsWith(`${processTag}.`);
		store = cached === undefined ? saved : mergeStores(cached, saved);
		if (predecessor) noteReplayDue(store, saved);
		// Saved by another copy: another live process, or this one before a restart. With a copy of
		// its own this process has served the workflow meanwhile, so the other one is live: doubt
		// for the full SHARED_DOUBT_MS. Without (just started), it may be a predecessor: doubt for
		// PREDECESSOR_DOUBT_MS; a live other process saves again soon and renews the full doubt.
		if (foreign) store.shared = Math.max(store.shared ?? 0, cached === undefined ? now - SHARED_DOUBT_MS + PREDECESSOR_DOUBT_MS : now);
		store.stamp = cached?.stamp ?? `${processTag}.${(++copies).toString(36)}`;
	}
	latest.delete(key);
	latest.set(key, store);
	if (latest.size > MAX_CACHED) latest.delete(latest.keys().next().value as string);
	return store;
}

/** Forgets every cached store and takes a new process tag, as a restart of n8n would (used by tests). */
export function clearStoreCache(): void {
	latest.clear();
	processTag = randomBytes(6).toString('base64url');
}

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
 * copy lacks what the others recorded. So the two are merged on every delivery, never chosen
 * between: this process's records go back into the saved copy with its next save, and the
 * others' records become known here.
 */
import { loadStore, mergeStores, type EventStore } from './events';

/** A few stores of up to a few hundred KB each; the least recently used goes first. */
const MAX_CACHED = 50;
const latest = new Map<string, EventStore>();

export function currentStore(key: string, persisted: unknown): EventStore {
	// loadStore returns a detached copy: the saved one belongs to this request's workflow object.
	const saved = loadStore(persisted);
	const cached = latest.get(key);
	const store = cached === undefined ? saved : mergeStores(cached, saved);
	latest.delete(key);
	latest.set(key, store);
	if (latest.size > MAX_CACHED) latest.delete(latest.keys().next().value as string);
	return store;
}

/** Forgets every cached store, as a restart of n8n would (used by tests). */
export function clearStoreCache(): void {
	latest.clear();
}

/**
 * The newest dedupe store of each trigger node in this n8n process.
 *
 * n8n loads a workflow's static data when a request arrives and saves it after webhook()
 * returns, so two deliveries of the same event arriving together both read the old store and
 * both look new. Deciding against this in-process copy (read, decide and write without an
 * await in between) serialises them; the static data stays the durable copy across restarts
 * and other processes (`rev` says which copy is newer).
 */
import { loadStore, type EventStore } from './events';

/** A few stores of up to a few hundred KB each; the least recently used goes first. */
const MAX_CACHED = 50;
const latest = new Map<string, EventStore>();

export function currentStore(key: string, persisted: unknown): EventStore {
	const saved = loadStore(persisted);
	const cached = latest.get(key);
	// A detached copy: the saved one belongs to this request's workflow object.
	const store = cached !== undefined && cached.rev >= saved.rev ? cached : (JSON.parse(JSON.stringify(saved)) as EventStore);
	latest.delete(key);
	latest.set(key, store);
	if (latest.size > MAX_CACHED) latest.delete(latest.keys().next().value as string);
	return store;
}

/** Forgets every cached store, as a restart of n8n would (used by tests). */
export function clearStoreCache(): void {
	latest.clear();
}

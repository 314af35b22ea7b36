/**
 * How the trigger's memory is kept in the workflow's static data, and how two copies of it are
 * merged. Pure (no n8n, no clock).
 *
 * Each job is one short string: `a.w.f.t.p1,p2.o1,o2` — assignments, withdrawals, flags
 * (1 started, 2 completed, 4 canceled), last heard of (ms, base 36), fingerprints of assignment
 * payloads, fingerprints of unknown events. Fingerprints are base64url, so neither `.` nor `,`
 * can occur in them.
 *
 * Saved as ONE string (`id=job id=job …`, format 3), not one key per job: n8n parses static data
 * from the database, wraps every key of every object in a Proxy, copies and re-serialises it
 * several times per callback (webhook, execution start), and that work grows with the number of
 * keys far more than with the length of a string. In memory the jobs are a record (`EventStore`).
 *
 * Merging: in queue mode several webhook processes each save the whole static data (last writer
 * wins), and each keeps its own newest copy in memory. Merging is a union per job: counts take the
 * larger value, flags and fingerprints are united, the newer time wins. Nothing one copy knows is
 * dropped; retention is applied afterwards by the caller.
 */

/** Per-job memory, decoded. */
export interface JobMemory {
	/** distinct JobAssigned seen */
	a: number;
	/** distinct withdrawals (JobWithdrawed, status New) seen */
	w: number;
	/** JobStarted seen */
	s?: 1;
	/** JobCompleted seen */
	c?: 1;
	/** cancellation (JobWithdrawed with status Canceled) seen */
	x?: 1;
	/** fingerprints of the guardianPhone of the JobAssigned payloads seen, newest last */
	p?: string[];
	/** fingerprints of `eventType|jobStatus` of unknown event types seen */
	o?: string[];
	/** last time (ms) any delivery for this job arrived: retries keep the entry alive */
	t: number;
}

export interface EventStore {
	v: 2;
	/** job id → encoded JobMemory */
	jobs: Record<string, string>;
	/** last time (ms) entries were pruned by age */
	pruned: number;
	/**
	 * Which in-process copy this was saved from (see storeCache): the copy that finds its own
	 * stamp in static data knows it holds everything saved there.
	 */
	stamp?: string;
}

/** What static data holds (format 3): the jobs as one string. */
export interface SavedStore {
	v: 3;
	/** `id=job` entries separated by single spaces */
	jobs: string;
	pruned: number;
	stamp?: string;
}

export const MAX_FINGERPRINTS = 8;
export const MAX_OTHER_KEYS = 8;

export function createStore(): EventStore {
	return counted({ v: 2, jobs: {}, pruned: 0 });
}

/**
 * How many jobs each store holds, kept beside it (not in it: it is not saved), so that a new job
 * does not cost counting every key. Stores made elsewhere are counted on first use.
 */
const jobCounts = new WeakMap<EventStore, number>();

function counted(store: EventStore): EventStore {
	jobCounts.set(store, Object.keys(store.jobs).length);
	return store;
}

export function jobCount(store: EventStore): number {
	const known = jobCounts.get(store);
	if (known !== undefined) return known;
	counted(store);
	return Object.keys(store.jobs).length;
}

/** The caller added a job that was not in `store`. */
export function jobAdded(store: EventStore): void {
	const count = jobCounts.get(store);
	if (count !== undefined) jobCounts.set(store, count + 1);
}

/** The caller removed jobs: count again (done only when removing, which is already a pass over the jobs). */
export function jobsRemoved(store: EventStore): void {
	counted(store);
}

const count = (text: string | undefined) => {
	const n = Number.parseInt(text ?? '', 10);
	return Number.isFinite(n) && n > 0 ? n : 0;
};
const list = (text: string | undefined) => (text ? text.split(',').filter(Boolean) : undefined);

export function encodeJob(m: JobMemory): string {
	const flags = (m.s ? 1 : 0) | (m.c ? 2 : 0) | (m.x ? 4 : 0);
	const fields = [m.a, m.w, flags, Math.max(0, Math.floor(m.t)).toString(36), (m.p ?? []).join(','), (m.o ?? []).join(',')];
	while (fields.length > 4 && fields[fields.length - 1] === '') fields.pop();
	return fields.join('.');
}

export function decodeJob(text: string): JobMemory {
	const [a, w, f, t, p, o] = text.split('.');
	const flags = count(f);
	const memory: JobMemory = { a: count(a), w: count(w), t: Number.parseInt(t ?? '', 36) || 0 };
	if (flags & 1) memory.s = 1;
	if (flags & 2) memory.c = 1;
	if (flags & 4) memory.x = 1;
	const payloads = list(p);
	if (payloads) memory.p = payloads;
	const others = list(o);
	if (others) memory.o = others;
	return memory;
}

/** The time field alone, without decoding the rest (pruning reads it for every job). */
export function lastHeard(text: string): number {
	return Number.parseInt(text.split('.', 4)[3] ?? '', 36) || 0;
}

/** Both lists' entries once each, the newer copy's order last (so it survives the cut). */
function union(older: string[] | undefined, newer: string[] | undefined, max: number): string[] | undefined {
	if (!older?.length) return newer;
	if (!newer?.length) return older;
	return [...older.filter((entry) => !newer.includes(entry)), ...newer].slice(-max);
}

export function mergeJob(x: JobMemory, y: JobMemory): JobMemory {
	const [older, newer] = x.t <= y.t ? [x, y] : [y, x];
	const p = union(older.p, newer.p, MAX_FINGERPRINTS);
	const o = union(older.o, newer.o, MAX_OTHER_KEYS);
	// each distinct payload fingerprint stands for at least one assignment
	const merged: JobMemory = { a: Math.max(x.a, y.a, p?.length ?? 0), w: Math.max(x.w, y.w), t: newer.t };
	if (x.s || y.s) merged.s = 1;
	if (x.c || y.c) merged.c = 1;
	if (x.x || y.x) merged.x = 1;
	if (p) merged.p = p;
	if (o) merged.o = o;
	return merged;
}

/** Adds everything `other` knows to `into` (mutated and returned). */
export function mergeStores(into: EventStore, other: EventStore): EventStore {
	for (const [key, theirs] of Object.entries(other.jobs)) {
		const ours = into.jobs[key];
		if (ours === undefined) {
			into.jobs[key] = theirs;
			jobAdded(into);
		}
		else if (ours !== theirs) into.jobs[key] = encodeJob(mergeJob(decodeJob(ours), decodeJob(theirs)));
	}
	into.pruned = Math.max(into.pruned, other.pruned);
	return into;
}

/** The form saved in static data (see the top of this file). */
export function saveStore(store: EventStore): SavedStore {
	let jobs = '';
	for (const key in store.jobs) {
		const job = store.jobs[key];
		// job ids are numbers and jobs never hold a space; what could not be read back (foreign
		// data loaded from format 2) is left out
		if (key === '' || key.includes(' ') || key.includes('=') || job === '' || job.includes(' ')) continue;
		jobs += jobs === '' ? `${key}=${job}` : ` ${key}=${job}`;
	}
	const saved: SavedStore = { v: 3, jobs, pruned: store.pruned };
	if (store.stamp !== undefined) saved.stamp = store.stamp;
	return saved;
}

/**
 * Reads what static data holds: the current format (3), the record of earlier builds (`v: 2`), the format
 * of 0.1.x (`v: 1`, one object per job, migrated here), or anything else (first run, foreign data)
 * as a fresh store — losing memory risks a duplicate, never a lost event. Always returns a
 * detached copy.
 */
export function loadStore(value: unknown): EventStore {
	if (typeof value !== 'object' || value === null) return createStore();
	const candidate = value as { v?: unknown; jobs?: unknown; pruned?: unknown };
	const pruned = typeof candidate.pruned === 'number' ? candidate.pruned : 0;
	const store: EventStore = { v: 2, jobs: {}, pruned };
	if (candidate.v === 3 && typeof candidate.jobs === 'string') {
		for (const entry of candidate.jobs.split(' ')) {
			const at = entry.indexOf('=');
			if (at > 0 && at < entry.length - 1) store.jobs[entry.slice(0, at)] = entry.slice(at + 1);
		}
		return counted(store);
	}
	if (typeof candidate.jobs !== 'object' || candidate.jobs === null) return createStore();
	const entries = Object.entries(candidate.jobs as Record<string, unknown>);
	if (candidate.v === 2) {
		for (const [key, text] of entries) if (typeof text === 'string') store.jobs[key] = text;
		return counted(store);
	}
	if (candidate.v === 1) {
		for (const [key, memory] of entries) {
			if (typeof memory === 'object' && memory !== null) store.jobs[key] = encodeJob(fromV1(memory as Partial<JobMemory>));
		}
		return counted(store);
	}
	return createStore();
}

function fromV1(old: Partial<JobMemory>): JobMemory {
	const strings = (value: unknown) =>
		Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string' && /^[\w-]+$/.test(entry)) : undefined;
	const memory: JobMemory = { a: Number(old.a) || 0, w: Number(old.w) || 0, t: Number(old.t) || 0 };
	if (old.s === 1) memory.s = 1;
	if (old.c === 1) memory.c = 1;
	if (old.x === 1) memory.x = 1;
	const p = strings(old.p);
	if (p?.length) memory.p = p;
	const o = strings(old.o);
	if (o?.length) memory.o = o;
	return memory;
}

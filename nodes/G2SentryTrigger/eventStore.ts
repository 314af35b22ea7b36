/**
 * How the trigger's memory is kept in the workflow's static data, and how two copies of it are
 * merged. Pure (no n8n, no clock).
 *
 * Each job is one short string: `a.w.f.t.p1,p2.o1,o2.r1,r2` — assignments, withdrawals, flags
 * (1 started, 2 completed, 4 canceled, 8 counts in doubt, 16 an
 * assignment implied and not yet received), last heard of (ms, base 36),
 * fingerprints of assignment payloads, fingerprints of unknown events, and the steps recorded
 * recently, each a step letter and its time (ms, base 36; see replay.ts, which replays them after
 * a restart). Fingerprints are base64url and step entries letters and base-36 digits, so neither
 * `.` nor `,` can occur in them.
 *
 * Saved as ONE string (`id=job id=job …`, format 4; format 3 is the same without the step times
 * and the store's `written`/`replayed`), not one key per job: n8n parses static data
 * from the database, wraps every key of every object in a Proxy, copies and re-serialises it
 * several times per callback (webhook, execution start), and that work grows with the number of
 * keys far more than with the length of a string. In memory the jobs are a record (`EventStore`).
 *
 * Merging: in queue mode several webhook processes each save the whole static data (last writer
 * wins), and each keeps its own newest copy in memory. Merging is a union per job: counts take the
 * larger value, flags and fingerprints are united, the newer time wins. Nothing one copy knows is
 * dropped; retention is applied afterwards by the caller.
 *
 * The larger of two counts is only a lower bound: two copies that each counted a different
 * withdrawal from the same start both say 1. So a merge of copies whose counts or fingerprints
 * differ marks the job's counts as in doubt (`u`), and events.ts then never drops an event of
 * that job on a count alone. Flags and fingerprint lists are exact under a union.
 *
 * Saved data is foreign input: job keys are accepted only as the positive whole numbers job ids
 * are (never `__proto__`, `constructor`, …), and the jobs live in objects without a prototype.
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
	/**
	 * the counts may be lower than what was really seen (a merge of copies that disagreed, or a
	 * repeat let through while another process may hold events this copy lacks)
	 */
	u?: 1;
	/** an assignment was implied by a later step and no real JobAssigned has come since (implied.ts) */
	g?: 1;
	/** last time (ms) any delivery for this job arrived: retries keep the entry alive */
	t: number;
	/** steps recorded within the replay window, oldest first: a step letter and its time (replay.ts) */
	r?: string[];
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
	/**
	 * Last time (ms) a copy saved by another in-process copy (another process) was read: until
	 * long after, this copy may lack events another process has just recorded (see events.ts).
	 */
	shared?: number;
	/** last time (ms) a step was recorded (the copy's last write that matters for replay) */
	written?: number;
	/** steps recorded up to this time (ms) were replayed after a restart, or are not to be (replay.ts) */
	replayed?: number;
	/**
	 * Not saved: the steps this process found recorded by a predecessor and has not replayed yet
	 * (set by storeCache.ts when it first reads a copy another process saved; replay.ts takes them).
	 */
	replayDue?: { from: number; to: number };
}

/** What static data holds (format 4): the jobs as one string. */
export interface SavedStore {
	v: 4;
	/** `id=job` entries separated by single spaces */
	jobs: string;
	pruned: number;
	stamp?: string;
	shared?: number;
	written?: number;
	replayed?: number;
}

export const MAX_FINGERPRINTS = 8;
export const MAX_OTHER_KEYS = 8;
/** Steps kept per job for replay: a job has at most a handful within the replay window. */
export const MAX_RECENT_STEPS = 8;

/** Job ids are positive whole numbers (nodes/shared/values.ts); at most 16 digits. */
const JOB_KEY = /^[1-9][0-9]{0,15}$/;
/** An encoded job is short (about 120 characters at most); anything far longer is not ours. */
const MAX_JOB_TEXT = 1024;

export const isJobKey = (key: string): boolean => JOB_KEY.test(key);
const isJobText = (text: unknown): text is string => typeof text === 'string' && text !== '' && text.length <= MAX_JOB_TEXT && !text.includes(' ');

/** A record with no prototype: no saved key can reach Object.prototype's members. */
const emptyJobs = (): Record<string, string> => Object.create(null) as Record<string, string>;

export function createStore(): EventStore {
	return counted({ v: 2, jobs: emptyJobs(), pruned: 0 });
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
	const flags = (m.s ? 1 : 0) | (m.c ? 2 : 0) | (m.x ? 4 : 0) | (m.u ? 8 : 0) | (m.g ? 16 : 0);
	const fields = [m.a, m.w, flags, Math.max(0, Math.floor(m.t)).toString(36), (m.p ?? []).join(','), (m.o ?? []).join(','), (m.r ?? []).join(',')];
	while (fields.length > 4 && fields[fields.length - 1] === '') fields.pop();
	return fields.join('.');
}

export function decodeJob(text: string): JobMemory {
	const [a, w, f, t, p, o, r] = text.split('.');
	const flags = count(f);
	const memory: JobMemory = { a: count(a), w: count(w), t: Number.parseInt(t ?? '', 36) || 0 };
	if (flags & 1) memory.s = 1;
	if (flags & 2) memory.c = 1;
	if (flags & 4) memory.x = 1;
	if (flags & 8) memory.u = 1;
	if (flags & 16) memory.g = 1;
	const payloads = list(p);
	if (payloads) memory.p = payloads;
	const others = list(o);
	if (others) memory.o = others;
	const steps = list(r);
	if (steps) memory.r = steps;
	return memory;
}

/** The time field alone, without decoding the rest (pruning reads it for every job). */
export function lastHeard(text: string): number {
	return Number.parseInt(text.split('.', 4)[3] ?? '', 36) || 0;
}

/** Whether a job keeps recent steps (the seventh field), without decoding it (replay.ts). */
export function hasRecentSteps(text: string): boolean {
	return text.split('.', 7).length === 7;
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
	const r = union(older.r, newer.r, MAX_RECENT_STEPS);
	// each distinct payload fingerprint stands for at least one assignment
	const merged: JobMemory = { a: Math.max(x.a, y.a, p?.length ?? 0), w: Math.max(x.w, y.w), t: newer.t };
	if (x.s || y.s) merged.s = 1;
	if (x.c || y.c) merged.c = 1;
	if (x.x || y.x) merged.x = 1;
	if (x.g || y.g) merged.g = 1;
	// Copies that disagree on what was counted may each have counted a different event, and the
	// larger count then undercounts; a copy that counted nothing leaves the other's counts exact.
	const countedNothing = (m: JobMemory) => m.a === 0 && m.w === 0 && !m.p?.length;
	const samePayloads = (x.p ?? []).length === (y.p ?? []).length && (x.p ?? []).every((f) => (y.p ?? []).includes(f));
	const disagree = x.a !== y.a || x.w !== y.w || !samePayloads;
	if (x.u || y.u || (disagree && !countedNothing(x) && !countedNothing(y))) merged.u = 1;
	if (p) merged.p = p;
	if (o) merged.o = o;
	if (r) merged.r = r;
	return merged;
}

/** Adds everything `other` knows to `into` (mutated and returned). */
export function mergeStores(into: EventStore, other: EventStore): EventStore {
	for (const [key, theirs] of Object.entries(other.jobs)) {
		if (!isJobKey(key) || !isJobText(theirs)) continue;
		const ours = into.jobs[key];
		if (ours === undefined) {
			into.jobs[key] = theirs;
			jobAdded(into);
		}
		else if (ours !== theirs) into.jobs[key] = encodeJob(mergeJob(decodeJob(ours), decodeJob(theirs)));
	}
	into.pruned = Math.max(into.pruned, other.pruned);
	const shared = Math.max(into.shared ?? 0, other.shared ?? 0);
	if (shared > 0) into.shared = shared;
	for (const field of ['written', 'replayed'] as const) {
		const latest = Math.max(into[field] ?? 0, other[field] ?? 0);
		if (latest > 0) into[field] = latest;
	}
	return into;
}

/** The form saved in static data (see the top of this file). */
export function saveStore(store: EventStore): SavedStore {
	let jobs = '';
	for (const key in store.jobs) {
		const job = store.jobs[key];
		// job ids are numbers and jobs never hold a space; what could not be read back (foreign
		// data loaded from format 2) is left out
		if (!isJobKey(key) || !isJobText(job)) continue;
		jobs += jobs === '' ? `${key}=${job}` : ` ${key}=${job}`;
	}
	const saved: SavedStore = { v: 4, jobs, pruned: store.pruned };
	if (store.stamp !== undefined) saved.stamp = store.stamp;
	if (store.shared !== undefined) saved.shared = store.shared;
	if (store.written !== undefined) saved.written = store.written;
	if (store.replayed !== undefined) saved.replayed = store.replayed;
	return saved;
}

/**
 * Reads what static data holds: the current format (4), format 3 (the same without step times:
 * its jobs have nothing to replay), the record of earlier builds (`v: 2`), the format
 * of 0.1.x (`v: 1`, one object per job, migrated here), or anything else (first run, foreign data)
 * as a fresh store — losing memory risks a duplicate, never a lost event. Always returns a
 * detached copy. `problems` counts what was there and could not be read (a job with a key that
 * is no job id, a value of the wrong type, or the whole memory), for the caller to report.
 */
export function loadStore(value: unknown, problems: { count: number } = { count: 0 }): EventStore {
	if (value === undefined || value === null) return createStore();
	if (typeof value !== 'object' || Array.isArray(value)) {
		problems.count++;
		return createStore();
	}
	const candidate = value as { v?: unknown; jobs?: unknown; pruned?: unknown; shared?: unknown; written?: unknown; replayed?: unknown };
	const time = (field: unknown) => (typeof field === 'number' && Number.isFinite(field) && field > 0 ? field : 0);
	const store: EventStore = { v: 2, jobs: emptyJobs(), pruned: time(candidate.pruned) };
	if (time(candidate.shared) > 0) store.shared = time(candidate.shared);
	const keep = (key: string, text: unknown) => {
		if (isJobKey(key) && isJobText(text)) store.jobs[key] = text;
		else problems.count++;
	};
	if ((candidate.v === 3 || candidate.v === 4) && typeof candidate.jobs === 'string') {
		if (candidate.v === 4 && time(candidate.written) > 0) store.written = time(candidate.written);
		if (candidate.v === 4 && time(candidate.replayed) > 0) store.replayed = time(candidate.replayed);
		for (const entry of candidate.jobs.split(' ')) {
			if (entry === '') continue;
			const at = entry.indexOf('=');
			keep(at > 0 ? entry.slice(0, at) : '', at > 0 ? entry.slice(at + 1) : undefined);
		}
		return counted(store);
	}
	if (typeof candidate.jobs !== 'object' || candidate.jobs === null || Array.isArray(candidate.jobs)) {
		// a store of a kind this build cannot read (no jobs at all is a fresh one)
		if (candidate.jobs !== undefined || candidate.v !== undefined) problems.count++;
		return createStore();
	}
	const entries = Object.entries(candidate.jobs as Record<string, unknown>);
	if (candidate.v === 2) {
		for (const [key, text] of entries) keep(key, text);
		return counted(store);
	}
	if (candidate.v === 1) {
		for (const [key, memory] of entries) {
			if (typeof memory === 'object' && memory !== null && !Array.isArray(memory)) keep(key, encodeJob(fromV1(memory as Partial<JobMemory>)));
			else problems.count++;
		}
		return counted(store);
	}
	problems.count++;
	return createStore();
}

function fromV1(old: Partial<JobMemory>): JobMemory {
	const strings = (value: unknown) =>
		Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string' && /^[\w-]+$/.test(entry)) : undefined;
	const whole = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0);
	const memory: JobMemory = { a: whole(old.a), w: whole(old.w), t: whole(old.t) };
	if (old.s === 1) memory.s = 1;
	if (old.c === 1) memory.c = 1;
	if (old.x === 1) memory.x = 1;
	const p = strings(old.p);
	if (p?.length) memory.p = p;
	const o = strings(old.o);
	if (o?.length) memory.o = o;
	return memory;
}

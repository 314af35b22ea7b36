/**
 * The trigger's memory: one job's memory with named fields (JobMemory, what every other module
 * reads and writes), the store of all jobs (EventStore), how they are saved in the workflow's
 * static data, and how two copies are merged. Pure (no n8n, no clock).
 *
 * Saved form of a job, and the only place its letters exist (encodeJob/decodeJob):
 * `a.w.f.t.p1,p2.o1,o2.r1,r2` — assignments, withdrawals, flags (FLAG_BITS: 1 started,
 * 2 completed, 4 canceled, 8 counts in doubt, 16 an assignment implied and not yet received),
 * last heard of (ms, base 36), assignment fingerprints, unknown-event fingerprints, and the recent
 * steps, each a step letter and its time (ms, base 36; replay.ts). Fingerprints are base64url and
 * step entries letters and base-36 digits, so neither `.` nor `,` can occur in them. The store
 * keeps each job in this form in memory too and decodes only the job a callback touches: a store
 * of 5,000 jobs is read on every callback.
 *
 * Saved as ONE string (`id=job id=job …`, format 4), not one key per job: n8n parses static data
 * from the database, wraps every key of every object in a Proxy, copies and re-serialises it
 * several times per callback (webhook, execution start), and that work grows with the number of
 * keys far more than with the length of a string. Older formats are still read (loadStore):
 * 3, the same without step times and the store's `written`/`replayed`; 2, the EventStore record
 * itself; 1 (0.1.x), one object per job under the same letters (JobMemoryV1).
 *
 * Merging: in queue mode several webhook processes each save the whole static data (last writer
 * wins), and each keeps its own newest copy in memory. Merging is a union per job: counts take the
 * larger value, flags and fingerprints are united, the newer time wins. Nothing one copy knows is
 * dropped; retention is applied afterwards by the caller.
 *
 * The larger of two counts is only a lower bound: two copies that each counted a different
 * withdrawal from the same start both say 1. So a merge of copies whose counts or fingerprints
 * differ marks the job's counts as in doubt (`countsInDoubt`), and events.ts then never drops an
 * event of that job on a count alone. Flags and fingerprint lists are exact under a union.
 *
 * Saved data is foreign input: job keys are accepted only as the positive whole numbers job ids
 * are (never `__proto__`, `constructor`, …), and the jobs live in objects without a prototype.
 */

/** Per-job memory, decoded: what every module reads and writes (the letters exist only in encodeJob/decodeJob). */
export interface JobMemory {
	/** distinct JobAssigned seen */
	assignments: number;
	/** distinct withdrawals (JobWithdrawed, status New) seen */
	withdrawals: number;
	/** JobStarted seen */
	started?: true;
	/** JobCompleted seen */
	completed?: true;
	/** cancellation (JobWithdrawed with status Canceled) seen */
	canceled?: true;
	/** fingerprints of the guardianPhone of the JobAssigned payloads seen, newest last */
	assignmentFingerprints?: string[];
	/** fingerprints of `eventType|jobStatus` of unknown event types seen */
	unknownEventFingerprints?: string[];
	/**
	 * the counts may be lower than what was really seen (a merge of copies that disagreed, or a
	 * repeat let through while another process may hold events this copy lacks)
	 */
	countsInDoubt?: true;
	/** an assignment was implied by a later step and no real JobAssigned has come since (implied.ts) */
	assignmentImplied?: true;
	/** last time (ms) any delivery for this job arrived: retries keep the entry alive */
	lastHeardAt: number;
	/** steps recorded within the replay window, oldest first: a step letter and its time (replay.ts) */
	recentSteps?: string[];
}

export interface EventStore {
	/**
	 * The format number under its saved key: this record is format 2 as earlier builds saved it,
	 * so a JSON copy of it still reads back (loadStore).
	 */
	v: 2;
	/** job id → the job's memory in its saved form (encodeJob) */
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

/** The flag bits of the saved format (the third field), by the field each one stands for. */
const FLAG_BITS = { started: 1, completed: 2, canceled: 4, countsInDoubt: 8, assignmentImplied: 16 } as const;
const FLAGS = Object.keys(FLAG_BITS) as Array<keyof typeof FLAG_BITS>;

/** The saved form of one job: `a.w.f.t.p.o.r` (see the top of this file); empty trailing lists are left out. */
export function encodeJob(memory: JobMemory): string {
	let flags = 0;
	for (const flag of FLAGS) if (memory[flag]) flags |= FLAG_BITS[flag];
	const heard = Math.max(0, Math.floor(memory.lastHeardAt)).toString(36);
	const lists = [memory.assignmentFingerprints, memory.unknownEventFingerprints, memory.recentSteps].map((entries) => (entries ?? []).join(','));
	const fields = [memory.assignments, memory.withdrawals, flags, heard, ...lists];
	while (fields.length > 4 && fields[fields.length - 1] === '') fields.pop();
	return fields.join('.');
}

export function decodeJob(text: string): JobMemory {
	const [assignments, withdrawals, flagText, heard, payloads, others, steps] = text.split('.');
	const flags = count(flagText);
	const memory: JobMemory = { assignments: count(assignments), withdrawals: count(withdrawals), lastHeardAt: Number.parseInt(heard ?? '', 36) || 0 };
	for (const flag of FLAGS) if (flags & FLAG_BITS[flag]) memory[flag] = true;
	const assignmentFingerprints = list(payloads);
	if (assignmentFingerprints) memory.assignmentFingerprints = assignmentFingerprints;
	const unknownEventFingerprints = list(others);
	if (unknownEventFingerprints) memory.unknownEventFingerprints = unknownEventFingerprints;
	const recentSteps = list(steps);
	if (recentSteps) memory.recentSteps = recentSteps;
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
	const [older, newer] = x.lastHeardAt <= y.lastHeardAt ? [x, y] : [y, x];
	const assignmentFingerprints = union(older.assignmentFingerprints, newer.assignmentFingerprints, MAX_FINGERPRINTS);
	const unknownEventFingerprints = union(older.unknownEventFingerprints, newer.unknownEventFingerprints, MAX_OTHER_KEYS);
	const recentSteps = union(older.recentSteps, newer.recentSteps, MAX_RECENT_STEPS);
	const merged: JobMemory = {
		// each distinct payload fingerprint stands for at least one assignment
		assignments: Math.max(x.assignments, y.assignments, assignmentFingerprints?.length ?? 0),
		withdrawals: Math.max(x.withdrawals, y.withdrawals),
		lastHeardAt: newer.lastHeardAt,
	};
	for (const flag of FLAGS) if (flag !== 'countsInDoubt' && (x[flag] || y[flag])) merged[flag] = true;
	// Copies that disagree on what was counted may each have counted a different event, and the
	// larger count then undercounts; a copy that counted nothing leaves the other's counts exact.
	const countedNothing = (m: JobMemory) => m.assignments === 0 && m.withdrawals === 0 && !m.assignmentFingerprints?.length;
	const xPayloads = x.assignmentFingerprints ?? [];
	const yPayloads = y.assignmentFingerprints ?? [];
	const samePayloads = xPayloads.length === yPayloads.length && xPayloads.every((f) => yPayloads.includes(f));
	const disagree = x.assignments !== y.assignments || x.withdrawals !== y.withdrawals || !samePayloads;
	if (x.countsInDoubt || y.countsInDoubt || (disagree && !countedNothing(x) && !countedNothing(y))) merged.countsInDoubt = true;
	if (assignmentFingerprints) merged.assignmentFingerprints = assignmentFingerprints;
	if (unknownEventFingerprints) merged.unknownEventFingerprints = unknownEventFingerprints;
	if (recentSteps) merged.recentSteps = recentSteps;
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
			if (typeof memory === 'object' && memory !== null && !Array.isArray(memory)) keep(key, encodeJob(fromV1(memory as Partial<JobMemoryV1>)));
			else problems.count++;
		}
		return counted(store);
	}
	problems.count++;
	return createStore();
}

/** A job as 0.1.x saved it (format 1): one object per job, under these letters. */
interface JobMemoryV1 {
	a: number;
	w: number;
	s?: 1;
	c?: 1;
	x?: 1;
	p?: string[];
	o?: string[];
	t: number;
}

function fromV1(old: Partial<JobMemoryV1>): JobMemory {
	const strings = (value: unknown) =>
		Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string' && /^[\w-]+$/.test(entry)) : undefined;
	const whole = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0);
	const memory: JobMemory = { assignments: whole(old.a), withdrawals: whole(old.w), lastHeardAt: whole(old.t) };
	if (old.s === 1) memory.started = true;
	if (old.c === 1) memory.completed = true;
	if (old.x === 1) memory.canceled = true;
	const payloads = strings(old.p);
	if (payloads?.length) memory.assignmentFingerprints = payloads;
	const others = strings(old.o);
	if (others?.length) memory.unknownEventFingerprints = others;
	return memory;
}

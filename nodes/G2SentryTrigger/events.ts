/**
 * What the trigger remembers about callbacks, so that at-least-once, unordered delivery becomes
 * exactly one item per distinct event. Pure (no n8n, no clock): the caller passes `now` and keeps
 * the store in the workflow's static data.
 *
 * Why not a plain set of `(jobId, eventType)` keys: the vendor keys its retries on that pair, but
 * after a Guardian withdraws, the job can be assigned again, and that second `JobAssigned` has the
 * same pair (often the same payload) while being a new event. So the store keeps, per job, how
 * many distinct assignments and withdrawals it has seen, and the logical key of an event is
 * `(jobId, eventType, n)` — n being which assignment/withdrawal it is:
 * - a `JobAssigned` is new while assignments seen <= withdrawals seen (a withdrawal has opened a
 *   new cycle), or when its payload differs from every assignment seen (another Guardian);
 * - a `JobWithdrawed` is new while withdrawals seen < max(assignments seen, 1), one less once
 *   the job has started (the started assignment was not withdrawn);
 * - `JobStarted`, `JobCompleted` and a cancellation (`JobWithdrawed` with status `Canceled`) happen
 *   at most once per job.
 * Every valid event must be recorded, also those the node then filters out, or the counts drift.
 *
 * Dropping an event as a duplicate needs proof, because a dropped real event is lost for good
 * (the sender got its 200). Flags are proof: started, completed and canceled happen at most once
 * per job. A fingerprint is proof for unknown event types (same type and status). Counts are
 * proof only while they are exact: in queue mode another webhook process may have recorded a
 * withdrawal this copy has not seen yet, and a merge keeps only the larger of two counts (see
 * eventStore.ts). So a count-based "already seen" (an assignment with a known payload while the
 * cycle is open, a withdrawal beyond the count) drops the event only when the job's counts are
 * not in doubt and no other process has written the memory within SHARED_DOUBT_MS; otherwise
 * the event is emitted with `possibleRepeat: true` and the job's counts are marked in doubt.
 */
import { createHash } from 'node:crypto';

import { CALLBACK_EVENTS, type CallbackEvent } from '../shared/contract';
import { decodeJob, encodeJob, hasRecentSteps, jobAdded, jobCount, jobsRemoved, lastHeard, MAX_FINGERPRINTS, MAX_OTHER_KEYS, type EventStore, type JobMemory } from './eventStore';
import { takeImplied, type ImpliedStep } from './implied';
import { FINAL_STATUSES, rememberedStatus } from './missedEvents';
import { recordStep, REPLAY_WINDOW_MS, stepLetter } from './replay';

export interface StoreLimits {
	maxJobs: number;
	maxAgeMs: number;
}

/**
 * The vendor redelivers for about 74 minutes (CALLBACK_RETRY_DELAYS_MS, 1 s … 1 h); two hours
 * covers it with margin (a unit test checks that it does).
 */
export const MIN_RETENTION_MS = 2 * 60 * 60 * 1000;
/**
 * A week of memory also catches late stale events across a job's life; 5,000 jobs is roughly
 * 200 KB of JSON and far more jobs than a partner can touch within one retry window at the
 * vendor's rate limit of 60 requests a minute.
 */
export const DEFAULT_LIMITS: StoreLimits = { maxJobs: 5000, maxAgeMs: 7 * 24 * 60 * 60 * 1000 };
const PRUNE_EVERY_MS = 60 * 1000;
/**
 * How long after reading a copy saved by another process the memory is treated as possibly
 * incomplete (another process may be recording events this copy lacks). Every further copy read
 * from another process renews it. Two hours, like MIN_RETENTION_MS: it spans the vendor's retry
 * window. After a restart the predecessor's copy counts as another process's, once.
 */
export const SHARED_DOUBT_MS = MIN_RETENTION_MS;

export interface IncomingEvent {
	jobId: number;
	eventType: string;
	jobStatus: string;
	guardianPhone: string | null;
}

export type Verdict =
	/** implied: steps this repeat proves the memory lacks (implied.ts), to run all the same */
	| { duplicate: true; implied?: ImpliedStep[] }
	/**
	 * stale: older than what was already seen for this job (the job has moved on since).
	 * possibleRepeat: the payload is identical to an earlier event of this job, so a late retry of
	 * that event would look exactly the same; it is emitted because a real event must not be lost.
	 */
	| { duplicate: false; stale: boolean; possibleRepeat?: true; implied?: ImpliedStep[] };

export function isKnownEvent(eventType: string): eventType is CallbackEvent {
	return (CALLBACK_EVENTS as readonly string[]).includes(eventType);
}

/**
 * Clamps user-chosen limits so the store always spans the vendor's retry window. A value that is
 * not a finite number (an expression gone wrong) means the default: NaN would disable pruning.
 */
export function effectiveLimits(partial: Partial<StoreLimits> = {}): StoreLimits {
	const finiteOr = (value: number | undefined, fallback: number) =>
		typeof value === 'number' && Number.isFinite(value) ? value : fallback;
	const maxJobs = Math.max(100, Math.floor(finiteOr(partial.maxJobs, DEFAULT_LIMITS.maxJobs)));
	const maxAgeMs = Math.max(MIN_RETENTION_MS, finiteOr(partial.maxAgeMs, DEFAULT_LIMITS.maxAgeMs));
	return { maxJobs, maxAgeMs };
}

/**
 * What the store keeps instead of a payload value: 12 characters whatever was sent (the store is
 * saved with the workflow on every delivery), and no phone number kept at rest. 72 bits make a
 * collision among the few values kept per job practically impossible.
 */
export function fingerprint(value: string): string {
	return createHash('sha256').update(value).digest('base64url').slice(0, 12);
}

/**
 * Records one delivery and says whether it is a duplicate and, if not, whether it is stale.
 * Mutates `store` (the caller persists it) and prunes it to `limits`.
 */
export function recordEvent(
	store: EventStore,
	event: IncomingEvent,
	now: number,
	limits: StoreLimits = DEFAULT_LIMITS,
): Verdict {
	const key = String(event.jobId);
	const saved = store.jobs[key];
	const memory: JobMemory = saved === undefined ? { assignments: 0, withdrawals: 0, lastHeardAt: now } : decodeJob(saved);
	// (either side: a clock set back must not end the doubt early)
	const shared = store.shared !== undefined && Math.abs(now - store.shared) < SHARED_DOUBT_MS;
	const countsExact = !shared && !memory.countsInDoubt;
	// steps this one proves the memory lacks (implied.ts), recorded in lifecycle order around it;
	// a duplicate proves them as well as its first delivery did, so it carries them too
	const implied = saved === undefined ? [] : takeImplied(memory, event.eventType, !countsExact);
	const record = (letter: string) => {
		recordStep(memory, letter, now);
		store.written = Math.max(store.written ?? 0, now);
	};
	const impliedLetter = (step: ImpliedStep) => (step.stale ? step.letter.toLowerCase() : step.letter);
	for (const step of implied) if (!step.follows) record(impliedLetter(step));
	const decided = decide(memory, event, countsExact);
	const verdict: Verdict = implied.length > 0 ? { ...decided, implied } : decided;
	memory.lastHeardAt = now;
	// what may be replayed after a restart (replay.ts): every step that was not a duplicate
	const letter = verdict.duplicate ? undefined : stepLetter(event.eventType, event.jobStatus, verdict.stale);
	if (letter !== undefined) record(letter);
	for (const step of implied) if (step.follows) record(impliedLetter(step));
	store.jobs[key] = encodeJob(memory);
	if (saved === undefined) jobAdded(store);
	pruneStore(store, now, limits);
	return verdict;
}

const verdict = (stale: boolean, possibleRepeat: boolean): Verdict =>
	possibleRepeat ? { duplicate: false, stale, possibleRepeat: true } : { duplicate: false, stale };

/**
 * What a count-based "already seen" becomes: a drop when the counts are exact, else an emitted
 * possible repeat (counts left as they are: a repeat is the likelier reading) and the job's
 * counts marked in doubt for good.
 */
function countedRepeat(m: JobMemory, countsExact: boolean, stale: boolean): Verdict {
	if (countsExact) return { duplicate: true };
	m.countsInDoubt = true;
	return { duplicate: false, stale, possibleRepeat: true };
}

function decide(m: JobMemory, event: IncomingEvent, countsExact: boolean): Verdict {
	const ended = m.completed === true || m.canceled === true;
	switch (event.eventType) {
		case 'JobAssigned': {
			const payload = fingerprint(event.guardianPhone ?? '');
			const seenPayload = (m.assignmentFingerprints ?? []).includes(payload);
			const withPayload = () => [...(m.assignmentFingerprints ?? []).filter((p) => p !== payload), payload].slice(-MAX_FINGERPRINTS);
			if (m.assignmentImplied) {
				// the assignment a later step implied (implied.ts) may be this one or not, even with a
				// Guardian seen before (re-assigned to the same one): emitted, counted as that one,
				// and the counts no longer exact
				delete m.assignmentImplied;
				m.countsInDoubt = true;
				m.assignmentFingerprints = withPayload();
				return verdict(m.assignments <= m.withdrawals || m.started === true || ended, true);
			}
			if (seenPayload && m.assignments > m.withdrawals) return countedRepeat(m, countsExact, m.started === true || ended);
			m.assignments += 1;
			m.assignmentFingerprints = withPayload();
			// its withdrawal already arrived, or the shift already started or ended
			return verdict(m.assignments <= m.withdrawals || m.started === true || ended, seenPayload);
		}
		case 'JobWithdrawed': {
			if (event.jobStatus === 'Canceled') {
				if (m.canceled) return { duplicate: true };
				m.canceled = true;
				return { duplicate: false, stale: m.completed === true };
			}
			// Each assignment can be withdrawn once, except the one that went on to start.
			const possible = m.started || m.completed ? Math.max(m.assignments - 1, 1) : Math.max(m.assignments, 1);
			if (m.withdrawals >= possible) return countedRepeat(m, countsExact, m.assignments > m.withdrawals || m.started === true || ended);
			m.withdrawals += 1;
			// a later assignment already arrived, or the job went on to start or end; every
			// withdrawal's payload is the same, so a second one may be a late retry of the first
			return verdict(m.assignments > m.withdrawals || m.started === true || ended, m.withdrawals > 1);
		}
		case 'JobStarted':
			if (m.started) return { duplicate: true };
			m.started = true;
			return { duplicate: false, stale: ended };
		case 'JobCompleted':
			if (m.completed) return { duplicate: true };
			m.completed = true;
			return { duplicate: false, stale: m.canceled === true };
		default: {
			// Unknown event types carry no lifecycle knowledge: dedupe on type and status only.
			const other = fingerprint(`${event.eventType}|${event.jobStatus}`);
			if ((m.unknownEventFingerprints ?? []).includes(other)) return { duplicate: true };
			m.unknownEventFingerprints = [...(m.unknownEventFingerprints ?? []), other].slice(-MAX_OTHER_KEYS);
			return { duplicate: false, stale: false };
		}
	}
}

/** A job the memory holds whose last known status is not final (what catch-up asks about). */
export interface UnfinishedJob {
	jobId: number;
	remembered: ReturnType<typeof rememberedStatus>;
	lastHeard: number;
}

/** The jobs whose memory is not Completed or Canceled, most recently heard of first. */
export function unfinishedJobs(store: EventStore): UnfinishedJob[] {
	const jobs: UnfinishedJob[] = [];
	for (const [key, text] of Object.entries(store.jobs)) {
		const jobId = Number(key);
		if (!Number.isSafeInteger(jobId) || jobId <= 0) continue;
		const memory = decodeJob(text);
		const remembered = rememberedStatus(memory);
		if (!FINAL_STATUSES.includes(remembered)) jobs.push({ jobId, remembered, lastHeard: memory.lastHeardAt });
	}
	return jobs.sort((x, y) => y.lastHeard - x.lastHeard);
}

/** What the memory says about one job now, or undefined when it does not hold the job. */
export function rememberedJobStatus(store: EventStore, jobId: number): ReturnType<typeof rememberedStatus> | undefined {
	const text = store.jobs[String(jobId)];
	return text === undefined ? undefined : rememberedStatus(decodeJob(text));
}

/** Drops jobs not heard of within `maxAgeMs`, then the least recently heard of beyond `maxJobs`. */
export function pruneStore(store: EventStore, now: number, limits: StoreLimits = DEFAULT_LIMITS): void {
	const byAge = now - store.pruned >= PRUNE_EVERY_MS || now < store.pruned;
	if (byAge) {
		store.pruned = now;
		for (const [key, text] of Object.entries(store.jobs)) {
			const heard = lastHeard(text);
			if (now - heard > limits.maxAgeMs) delete store.jobs[key];
			// steps past the replay window can never be replayed (replay.ts): keep the string short,
			// unless this process has yet to replay a predecessor's steps
			else if (now - heard > REPLAY_WINDOW_MS && store.replayDue === undefined && hasRecentSteps(text)) {
				store.jobs[key] = encodeJob({ ...decodeJob(text), recentSteps: undefined });
			}
		}
		jobsRemoved(store);
	}
	// the kept count, not the keys: counting 5,000 keys on every delivery was most of its cost
	if (jobCount(store) <= limits.maxJobs) return;
	const keys = Object.keys(store.jobs);
	if (keys.length <= limits.maxJobs) {
		jobsRemoved(store);
		return;
	}
	// Evict down to 90% so a full store is not sorted again on every delivery.
	const keep = Math.floor(limits.maxJobs * 0.9);
	keys
		.map((key) => ({ key, heardAt: lastHeard(store.jobs[key]) }))
		.sort((x, y) => x.heardAt - y.heardAt)
		.slice(0, Math.max(0, keys.length - keep))
		.forEach(({ key }) => delete store.jobs[key]);
	jobsRemoved(store);
}

/**
 * Replay after a restart. Pure (no n8n, no clock).
 *
 * The trigger answers G2 Sentry inside webhook(); n8n then saves the memory and only after that
 * creates the execution (docs/delivery-guarantees.md). A process killed in between has recorded
 * the event as handled, G2 Sentry does not retry, and catch-up sees nothing missing: the event
 * would be lost. An execution that was running when n8n died is marked `crashed` and never re-run
 * by n8n either. So the memory keeps, per job, the steps it recorded within REPLAY_WINDOW_MS
 * (eventStore.ts, JobMemory.recentSteps), and the store the time of its last recorded step (`written`).
 *
 * A process that reads, for the first time, a memory saved by another process (storeCache.ts: its
 * stamp is not this process's) notes the steps that other process recorded within
 * REPLAY_WINDOW_MS before its last write (`replayDue`). The first trigger() or callback that then
 * decides against the memory takes them (takeReplay) and emits them again, marked
 * `possibleRepeat` (they most likely ran) and `recovered` with `recoveredBecause: 'restart'`, and
 * records in the store (`replayed`) that the predecessor's steps up to that time were replayed.
 * A replay's own run has the same gap as a callback's (n8n saves the memory, then stores the run):
 * so each replayed step is recorded again, at the time of the replay, as a step of this process.
 * If this process dies within the window after it, the next one replays the step again; if it
 * lives on past the window, never. A step is replayed at most MAX_REPLAYS times, so a crash loop,
 * or clean restarts with nothing received in between, cannot re-run it for ever. The other
 * process may also be alive (queue mode: another webhook
 * process, or the main reading what webhook processes saved): n8n tells no process whether
 * another is alive, so those steps are replayed too, marked the same way.
 */
import type { CallbackEvent, JobStatus } from '../shared/contract';
import { decodeJob, encodeJob, hasRecentSteps, MAX_RECENT_STEPS, type EventStore, type JobMemory } from './eventStore';

/**
 * How far before a predecessor's last write its steps are replayed. R8 (test/reliability/) saw
 * events acknowledged up to about 15 s before a SIGKILL whose execution was never created or
 * crashed under a callback flood; twice that.
 */
export const REPLAY_WINDOW_MS = 30_000;

/** The lifecycle steps a callback can record, by letter (upper case: fresh, lower case: stale). */
const STEPS: Record<string, { eventType: CallbackEvent; jobStatus: JobStatus }> = {
	A: { eventType: 'JobAssigned', jobStatus: 'Assigned' },
	W: { eventType: 'JobWithdrawed', jobStatus: 'New' },
	S: { eventType: 'JobStarted', jobStatus: 'InProgress' },
	C: { eventType: 'JobCompleted', jobStatus: 'Completed' },
	X: { eventType: 'JobWithdrawed', jobStatus: 'Canceled' },
};
/** An entry: how often it was replayed (none, or 1–9), the step letter, its time in base 36. */
const STEP_ENTRY = /^([1-9]?)([AWSCXawscx])([0-9a-z]{1,11})$/;
/** How often one step may be replayed in all (see the top of this file). */
export const MAX_REPLAYS = 3;

/** The letter of a lifecycle step (undefined: an unknown event type, which is not replayed). */
export function stepLetter(eventType: string, jobStatus: string, stale: boolean): string | undefined {
	const found = Object.entries(STEPS).find(
		([, step]) => step.eventType === eventType && (eventType !== 'JobWithdrawed' || (step.jobStatus === 'Canceled') === (jobStatus === 'Canceled')),
	);
	return found === undefined ? undefined : stale ? found[0].toLowerCase() : found[0];
}

const parseEntry = (entry: string) => {
	const match = STEP_ENTRY.exec(entry);
	return match ? { replays: Number(match[1] || 0), letter: match[2], at: Number.parseInt(match[3], 36) } : undefined;
};

const entryOf = (letter: string, at: number, replays = 0) => `${replays > 0 ? replays : ''}${letter}${Math.max(0, Math.floor(at)).toString(36)}`;

/** Adds a step recorded `now` to a job's recent steps, keeping only those within the window. */
export function recordStep(memory: JobMemory, letter: string, now: number): void {
	const kept = (memory.recentSteps ?? []).filter((entry) => {
		const step = parseEntry(entry);
		return step !== undefined && step.at >= now - REPLAY_WINDOW_MS && step.at <= now;
	});
	memory.recentSteps = [...kept, entryOf(letter, now)].slice(-MAX_RECENT_STEPS);
}

/**
 * Called when a process reads a memory another process saved, before merging it into anything
 * (`saved` as loaded): notes the steps to replay, if any were recorded after the last replay.
 */
export function noteReplayDue(store: EventStore, saved: EventStore): void {
	const to = saved.written ?? 0;
	const done = Math.max(saved.replayed ?? 0, store.replayed ?? 0);
	if (to <= done) return;
	const from = Math.max(to - REPLAY_WINDOW_MS, done + 1);
	store.replayDue = store.replayDue ? { from: Math.min(store.replayDue.from, from), to: Math.max(store.replayDue.to, to) } : { from, to };
}

export interface ReplayedStep {
	jobId: number;
	eventType: CallbackEvent;
	jobStatus: JobStatus;
	stale: boolean;
	recordedAt: number;
}

/**
 * The steps due for replay, oldest first, and the store marked as having replayed them, each
 * recorded again at `now` unless it reached MAX_REPLAYS or `recordAgain` is false (nothing is
 * emitted: the option is off). The caller saves the store with no await in between. Empty when
 * nothing is due.
 */
export function takeReplay(store: EventStore, now: number, recordAgain = true): ReplayedStep[] {
	const due = store.replayDue;
	if (due === undefined) return [];
	delete store.replayDue;
	const done = store.replayed ?? 0;
	store.replayed = Math.max(done, due.to);
	const steps: ReplayedStep[] = [];
	for (const key in store.jobs) {
		const text = store.jobs[key];
		if (!hasRecentSteps(text)) continue;
		const memory = decodeJob(text);
		const kept: string[] = [];
		const again: string[] = [];
		for (const entry of memory.recentSteps ?? []) {
			const step = parseEntry(entry);
			if (step === undefined || step.at < due.from || step.at > due.to || step.at <= done) {
				kept.push(entry);
				continue;
			}
			steps.push({ jobId: Number(key), ...STEPS[step.letter.toUpperCase()], stale: step.letter !== step.letter.toUpperCase(), recordedAt: step.at });
			if (recordAgain && step.replays + 1 < MAX_REPLAYS) again.push(entryOf(step.letter, now, step.replays + 1));
		}
		if (again.length === 0 && kept.length === (memory.recentSteps ?? []).length) continue;
		memory.recentSteps = [...kept, ...again].slice(-MAX_RECENT_STEPS);
		store.jobs[key] = encodeJob(memory);
		if (again.length > 0) store.written = Math.max(store.written ?? 0, now);
	}
	return steps.sort((x, y) => x.recordedAt - y.recordedAt || x.jobId - y.jobId);
}

/** The item a replayed step starts a run with (the callback's fields; what was not kept is null). */
export function replayItem(step: ReplayedStep, now: number): Record<string, string | number | boolean | null> {
	return {
		jobId: step.jobId,
		eventType: step.eventType,
		// the memory keeps neither the job's name nor the Guardian's number (only a fingerprint)
		jobName: null,
		jobStatus: step.jobStatus,
		guardianPhone: null,
		receivedAt: new Date(step.recordedAt).toISOString(),
		replayedAt: new Date(now).toISOString(),
		stale: step.stale,
		possibleRepeat: true,
		signedWithPreviousSecret: false,
		recovered: true,
		recoveredBecause: 'restart',
	};
}

export interface ReplaySettings {
	/** the node's "Re-Run Recent Events After a Restart" option (off: what is due is marked done, nothing emitted) */
	enabled: boolean;
	wanted: readonly string[];
	dropStale: boolean;
}

/** Takes what is due (see takeReplay) and returns the items to emit for it under the node's settings. */
export function replayedItems(store: EventStore, settings: ReplaySettings, now: number): Array<{ json: ReturnType<typeof replayItem> }> {
	const steps = takeReplay(store, now, settings.enabled);
	if (!settings.enabled) return [];
	return steps
		.filter((step) => settings.wanted.includes(step.eventType) && !(step.stale && settings.dropStale))
		.map((step) => ({ json: replayItem(step, now) }));
}

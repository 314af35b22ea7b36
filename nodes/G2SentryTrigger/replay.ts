/**
 * Replay after a restart. Pure (no n8n, no clock).
 *
 * The trigger answers G2 Sentry inside webhook(); n8n then saves the memory and only after that
 * creates the execution (docs/delivery-guarantees.md). A process killed in between has recorded
 * the event as handled, G2 Sentry does not retry, and catch-up sees nothing missing: the event
 * would be lost. An execution that was running when n8n died is marked `crashed` and never re-run
 * by n8n either. So the memory keeps, per job, the steps it recorded within REPLAY_WINDOW_MS
 * (eventStore.ts, field `r`), and the store the time of its last recorded step (`written`).
 *
 * A process that reads, for the first time, a memory saved by another process (storeCache.ts: its
 * stamp is not this process's) notes the steps that other process recorded within
 * REPLAY_WINDOW_MS before its last write (`replayDue`). The first trigger() or callback that then
 * decides against the memory takes them (takeReplay) and emits them again, marked
 * `possibleRepeat` (they most likely ran) and `recovered` with `recoveredBecause: 'restart'`, and
 * records in the store (`replayed`) that steps up to that time were replayed, so a second restart
 * does not replay them again. The other process may also be alive (queue mode: another webhook
 * process, or the main reading what webhook processes saved): n8n tells no process whether
 * another is alive, so those steps are replayed too, marked the same way.
 */
import type { CallbackEvent, JobStatus } from '../shared/contract';
import { decodeJob, MAX_RECENT_STEPS, type EventStore, type JobMemory } from './eventStore';

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
const STEP_ENTRY = /^([AWSCXawscx])([0-9a-z]{1,11})$/;

/** The letter of a lifecycle step (undefined: an unknown event type, which is not replayed). */
export function stepLetter(eventType: string, jobStatus: string, stale: boolean): string | undefined {
	const found = Object.entries(STEPS).find(
		([, step]) => step.eventType === eventType && (eventType !== 'JobWithdrawed' || (step.jobStatus === 'Canceled') === (jobStatus === 'Canceled')),
	);
	return found === undefined ? undefined : stale ? found[0].toLowerCase() : found[0];
}

const parseEntry = (entry: string) => {
	const match = STEP_ENTRY.exec(entry);
	return match ? { letter: match[1], at: Number.parseInt(match[2], 36) } : undefined;
};

/** Adds a step recorded `now` to a job's recent steps, keeping only those within the window. */
export function recordStep(memory: JobMemory, letter: string, now: number): void {
	const kept = (memory.r ?? []).filter((entry) => {
		const step = parseEntry(entry);
		return step !== undefined && step.at >= now - REPLAY_WINDOW_MS && step.at <= now;
	});
	memory.r = [...kept, `${letter}${Math.max(0, Math.floor(now)).toString(36)}`].slice(-MAX_RECENT_STEPS);
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
 * The steps due for replay, oldest first, and the store marked as having replayed them (the
 * caller saves it with no await in between). Empty when nothing is due.
 */
export function takeReplay(store: EventStore): ReplayedStep[] {
	const due = store.replayDue;
	if (due === undefined) return [];
	delete store.replayDue;
	const done = store.replayed ?? 0;
	store.replayed = Math.max(done, due.to);
	const steps: ReplayedStep[] = [];
	for (const key in store.jobs) {
		const text = store.jobs[key];
		// only jobs with recent steps (a seventh field) are decoded
		if (text.split('.', 7).length < 7) continue;
		for (const entry of decodeJob(text).r ?? []) {
			const step = parseEntry(entry);
			if (step === undefined || step.at < due.from || step.at > due.to || step.at <= done) continue;
			steps.push({ jobId: Number(key), ...STEPS[step.letter.toUpperCase()], stale: step.letter !== step.letter.toUpperCase(), recordedAt: step.at });
		}
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
	const steps = takeReplay(store);
	if (!settings.enabled) return [];
	return steps
		.filter((step) => settings.wanted.includes(step.eventType) && !(step.stale && settings.dropStale))
		.map((step) => ({ json: replayItem(step, now) }));
}

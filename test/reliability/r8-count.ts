/**
 * R8's bookkeeping: what n8n ran (its executions and the trigger's items in them), and the fate of
 * every distinct event the sandbox sent: run once, run again marked `possibleRepeat`, run again
 * unmarked, recovered by catch-up (an item with `recovered: true`), or lost. An execution n8n
 * marked `crashed` (or left `new`/`running`, or one without the trigger's recorded output) did
 * not run: its items are shown, never counted.
 */
import path from 'node:path';

import type { JobMemory } from '../../nodes/G2SentryTrigger/eventStore';
import type { GateRecord } from './r8-gate';

/**
 * Execution statuses in which the workflow ran, when the trigger's output was recorded (error: a
 * later node failed, or n8n gave up on the run after the trigger had passed its items on).
 */
const RAN = new Set(['success', 'error']);

export interface Run {
	id: number;
	status: string;
	/** the trigger's items: its recorded output, or (an execution that never ran) the items n8n queued for it */
	items: Array<Record<string, unknown>>;
	/** the items are the trigger's recorded output (not only what n8n queued for it) */
	recorded: boolean;
}

export interface SentEvent {
	deliveryId: number;
	jobId: number;
	eventType: string;
	jobStatus: string;
	body: string;
	attempts: Array<{ attempt: number; duplicate: boolean; status: number | null; outcome: string; error?: string; startedAt: string }>;
}

export type Fate = 'once' | 'repeat-marked' | 'repeat-unmarked' | 'recovered' | 'lost';

export interface Counted {
	event: SentEvent;
	fate: Fate;
	/**
	 * runs of this event in executions that ran (recoveredBecause: 'restart' for a replay, 'implied'
	 * for a step a later callback of the job proved, else catch-up)
	 */
	ran: Array<{ execution: number; possibleRepeat: boolean; recovered: boolean; replayed?: boolean; implied?: true }>;
	/** executions that held the event but never ran (crashed, new, running…) */
	notRun: Array<{ execution: number; status: string }>;
	/**
	 * why a lost event was lost, as far as the records tell; 'start-up page, first event of the job':
	 * n8n answered the job's very first event with its start-up page, so the trigger never saw it and
	 * had never heard of the job; 'first event of the job, never in the saved memory': the node
	 * answered it and n8n died before the memory holding it reached the database, and the memory
	 * saved at the end has the job but never counted its assignment (see rememberedNothingOf).
	 * A later event lost either way while the saved memory never held it nor any step of its job
	 * before it (the job's first events lost the same way, before the same kill) is named likewise
	 * ('…, no earlier step of its job in the saved memory'): the memory then knows the job at most
	 * by its completion, which implies nothing. Neither replay, nor implied steps, nor catch-up can
	 * bring these back: docs/delivery-guarantees.md. In queue mode also 'start-up page, a job the
	 * main never held' (see mainNeverHeld).
	 */
	lostHow?: 'start-up page, first event of the job' | 'first event of the job, never in the saved memory' | typeof NOTHING_EARLIER_SAVED | typeof STARTUP_NOTHING_EARLIER_SAVED | 'start-up page, a job the main never held' | 'start-up page' | 'crashed execution' | 'execution never run' | 'acknowledged, never run' | 'given up' | 'never acknowledged';
}

type Items = Array<{ json: Record<string, unknown> } | null> | null | undefined;
interface ExecutionData {
	resultData?: { runData?: Record<string, Array<{ data?: { main?: Items[] } }>> };
	executionData?: { nodeExecutionStack?: Array<{ node?: { name?: string }; data?: { main?: Items[] } }> };
}

const jsonOf = (outputs: Items[] | undefined) => (outputs ?? []).flatMap((items) => (items ?? []).flatMap((i) => (i?.json ? [i.json] : [])));

/** The trigger's items in one execution's data (parsed), wherever n8n left them. */
export function triggerItems(data: unknown, node: string): Pick<Run, 'items' | 'recorded'> {
	const d = (data ?? {}) as ExecutionData;
	const output = d.resultData?.runData?.[node]?.[0]?.data?.main;
	if (output) return { items: jsonOf(output), recorded: true };
	return { items: jsonOf(d.executionData?.nodeExecutionStack?.find((s) => s.node?.name === node)?.data?.main), recorded: false };
}

/** Executions of one workflow in an n8n on SQLite, read with Node's sqlite and the flatted n8n ships. */
export function sqliteRuns(databaseFile: string, runtimeDir: string, workflowId: string, node: string): Run[] {
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const flatted = require(path.join(runtimeDir, 'node_modules', 'flatted')) as { parse(text: string): unknown };
	const db = new DatabaseSync(databaseFile, { readOnly: true, timeout: 10_000 });
	try {
		const rows = db
			.prepare('SELECT e.id AS id, e.status AS status, d.data AS data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id WHERE e.workflowId = ? ORDER BY e.id')
			.all(workflowId) as unknown as Array<{ id: number; status: string; data: string | null }>;
		return rows.map((r) => ({ id: Number(r.id), status: r.status, ...triggerItems(r.data ? flatted.parse(r.data) : null, node) }));
	} finally {
		db.close();
	}
}

/** Distinct events (one per deliveryId) with every attempt the sandbox made. */
export function sentEvents(attempts: Array<SentEvent['attempts'][number] & { deliveryId: number; jobId: number; body: string }>): SentEvent[] {
	const byId = new Map<number, SentEvent>();
	for (const a of attempts) {
		let event = byId.get(a.deliveryId);
		if (!event) {
			const body = JSON.parse(a.body) as { eventType: string; jobStatus: string };
			event = { deliveryId: a.deliveryId, jobId: a.jobId, eventType: body.eventType, jobStatus: body.jobStatus, body: a.body, attempts: [] };
			byId.set(a.deliveryId, event);
		}
		event.attempts.push({ attempt: a.attempt, duplicate: a.duplicate, status: a.status, outcome: a.outcome, error: a.error, startedAt: a.startedAt });
	}
	return [...byId.values()];
}

const STARTING_UP = /starting up/i;
const sameEvent = (e: SentEvent, j: Record<string, unknown>) => j.jobId === e.jobId && j.eventType === e.eventType && j.jobStatus === e.jobStatus;

/** The fate of each event: its first run is the real one, any further run a repeat. */
export function classify(events: SentEvent[], runs: Run[], gate: GateRecord[]): Counted[] {
	return events.map((event) => {
		const ran: Counted['ran'] = [];
		const notRun: Counted['notRun'] = [];
		for (const run of runs) {
			for (const item of run.items.filter((j) => sameEvent(event, j))) {
				if (RAN.has(run.status) && run.recorded) {
					const implied = item.recoveredBecause === 'implied' ? { implied: true as const } : {};
					ran.push({ execution: run.id, possibleRepeat: item.possibleRepeat === true, recovered: item.recovered === true, replayed: item.recoveredBecause === 'restart', ...implied });
				}
				else notRun.push({ execution: run.id, status: run.status });
			}
		}
		// the real run: a delivered one before a recovered one, an unmarked one before a marked one;
		// an implied step ran in its job's callback run, before any later arrival of the step itself
		const rank = (r: Counted['ran'][number]) => (r.recovered && !r.implied ? 2 : 0) + (r.possibleRepeat ? 1 : 0);
		const [first, ...repeats] = [...ran].sort((a, b) => rank(a) - rank(b));
		let fate: Fate;
		if (!first) fate = 'lost';
		else if (repeats.some((r) => !r.possibleRepeat)) fate = 'repeat-unmarked';
		else if (repeats.length > 0) fate = 'repeat-marked';
		else fate = first.recovered ? 'recovered' : 'once';
		const counted: Counted = { event, fate, ran, notRun };
		const firstOfJob = events.every((e) => e.jobId !== event.jobId || e.deliveryId >= event.deliveryId);
		if (fate === 'lost') counted.lostHow = lostHow(event, notRun, gate, firstOfJob);
		return counted;
	});
}

function lostHow(event: SentEvent, notRun: Counted['notRun'], gate: GateRecord[], firstOfJob: boolean): Counted['lostHow'] {
	if (notRun.some((r) => r.status === 'crashed')) return 'crashed execution';
	// left new or running after the wait (created, never queued or picked up), or failed before the trigger's output was recorded
	if (notRun.length > 0) return 'execution never run';
	const answers = gate.filter((g) => g.body === event.body).map((g) => g.answer);
	// only the start-up page acknowledged it (a 2xx from the node would have been recorded)
	const startUpOnly = answers.some((a) => a.startsWith('200') && STARTING_UP.test(a)) && !answers.some((a) => /^2\d\d /.test(a) && !STARTING_UP.test(a));
	if (startUpOnly) return firstOfJob ? 'start-up page, first event of the job' : 'start-up page';
	if (event.attempts.some((a) => a.outcome === 'delivered')) return 'acknowledged, never run';
	if (event.attempts.some((a) => a.outcome === 'given-up')) return 'given up';
	return 'never acknowledged';
}

export const NOTHING_EARLIER_SAVED = 'acknowledged, never in the saved memory, nor an earlier step of its job';
export const STARTUP_NOTHING_EARLIER_SAVED = 'start-up page, no earlier step of its job in the saved memory';

/** Whether a saved job memory holds this step or one before it (R8's jobs: Assigned → InProgress → Completed). */
function holdsUpTo(m: JobMemory | undefined, eventType: string): boolean {
	if (m === undefined) return false;
	const assigned = m.assignments > 0 || m.withdrawals > 0;
	if (eventType === 'JobAssigned') return assigned;
	if (eventType === 'JobStarted') return assigned || m.started === true;
	return assigned || m.started === true || m.completed === true || m.canceled === true;
}

/**
 * Lost events the memory saved at the end (the node's `deliveries`, decoded) shows no saved copy
 * ever held, nor any step of their job before them (counts are only ever raised and flags only
 * set): a job's first event the node acknowledged, and later ones acknowledged (their execution
 * crashed or not) or answered by the start-up page while the memory knew nothing earlier of the
 * job. Renamed in place.
 */
export function rememberedNothingOf(counted: Counted[], savedJob: (jobId: number) => JobMemory | undefined): void {
	for (const c of counted) {
		// a crashed (or never run) execution too: n8n does not await the save before it creates the
		// execution (its webhook-helpers), so the execution may exist while the save never landed
		if (!['acknowledged, never run', 'crashed execution', 'execution never run', 'start-up page'].includes(c.lostHow ?? '')) continue;
		if (holdsUpTo(savedJob(c.event.jobId), c.event.eventType)) continue;
		const first = counted.every((o) => o.event.jobId !== c.event.jobId || o.event.deliveryId >= c.event.deliveryId);
		if (c.lostHow === 'start-up page') c.lostHow = STARTUP_NOTHING_EARLIER_SAVED;
		else c.lostHow = first && c.event.eventType === 'JobAssigned' ? 'first event of the job, never in the saved memory' : NOTHING_EARLIER_SAVED;
	}
}

/**
 * Queue mode: catch-up runs on the main, whose memory is the database copy of activation time
 * (n8n gives trigger() no way to reload it; docs/delivery-guarantees.md, "Queue mode"). A step a
 * restarted webhook process answered with n8n's start-up page, of a job only the webhook processes
 * had heard of, is therefore lost. Renamed in place when G2 Sentry was never asked for the job's
 * status after that answer (catch-up is the only caller of the status endpoint in R8): had
 * catch-up asked and still not recovered the step, the loss stays what it was, a failure.
 */
export function mainNeverHeld(counted: Counted[], gate: GateRecord[], statusAskedAt: (jobId: number) => number[]): void {
	for (const c of counted) {
		if (c.lostHow !== 'start-up page') continue;
		const pages = gate.filter((g) => g.body === c.event.body && STARTING_UP.test(g.answer)).map((g) => g.at);
		const since = Math.min(...pages);
		if (!statusAskedAt(c.event.jobId).some((t) => t >= since)) c.lostHow = 'start-up page, a job the main never held';
	}
}

export interface Crash {
	/** when the kill was due (a kill due while n8n was still coming back waits for it) */
	plannedAt: number;
	killedAt: number;
	/** n8n answered its readiness probe again */
	readyAt?: number;
	/** the trigger's production URL was served again */
	servedAt?: number;
}

/** Per event: what the sandbox sent, what n8n answered (through the gate), the crashes, the executions. */
export function timelines(counted: Counted[], gate: GateRecord[], crashes: Crash[], start: number, limit = 8): string {
	const at = (t: number | string) => `+${((new Date(t).getTime() - start) / 1000).toFixed(2)} s`;
	const kills = crashes.map((c) => `killed ${at(c.killedAt)} (due ${at(c.plannedAt)}), ready ${c.readyAt ? at(c.readyAt) : '-'}, webhook served ${c.servedAt ? at(c.servedAt) : '-'}`).join('; ');
	const blocks = counted.slice(0, limit).map(({ event, fate, ran, notRun, lostHow: how }) => {
		const lines = [
			`job ${event.jobId} ${event.eventType}/${event.jobStatus} (delivery ${event.deliveryId}): ${fate}${how ? ` (${how})` : ''}`,
			...event.attempts.map((a) => `  sandbox ${at(a.startedAt)} attempt ${a.attempt}${a.duplicate ? ' (duplicate)' : ''}: ${a.status ?? a.error ?? '-'} → ${a.outcome}`),
			...gate.filter((g) => g.body === event.body).map((g) => `  n8n     ${at(g.at)} answered ${g.answeredAt ? at(g.answeredAt) : '-'}: ${g.answer}`),
			...ran.map((r) => `  ran in execution ${r.execution}${r.possibleRepeat ? ' possibleRepeat' : ''}${r.recovered ? (r.replayed ? ' replayed after a restart' : r.implied ? ' implied by a later step of the job' : ' recovered by catch-up') : ''}`),
			...notRun.map((r) => `  held by execution ${r.execution}, status ${r.status} (not run)`),
		];
		return lines.join('\n');
	});
	return `crashes: ${kills || 'none'}\n${blocks.join('\n')}`;
}

/** For each event lost although n8n acknowledged it: seconds from its last 2xx to the kill that followed. */
export function ackedBeforeKill(counted: Counted[], gate: GateRecord[], crashes: Crash[]): number[] {
	return counted.flatMap((c) => {
		if (c.fate !== 'lost') return [];
		const acks = gate.filter((g) => g.body === c.event.body && g.answeredAt && /^2\d\d /.test(g.answer)).map((g) => g.answeredAt as number);
		const ack = acks.length ? Math.max(...acks) : undefined;
		const kill = ack === undefined ? undefined : crashes.map((k) => k.killedAt).find((t) => t >= ack);
		return ack !== undefined && kill !== undefined ? [(kill - ack) / 1000] : [];
	});
}

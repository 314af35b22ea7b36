/**
 * Catch-up (and, at activation, the replay after a restart: replayAtActivation, ./replay.ts).
 * Catch-up asks G2 Sentry for the status of the jobs the trigger remembers as not finished and
 * emits the callbacks it missed (n8n was down longer than the vendor's retry schedule, or a
 * callback never got through). Runs when the workflow is activated and then every interval, from
 * the node's trigger() (G2SentryTrigger.node.ts); see docs/delivery-guarantees.md.
 *
 * Every missed event goes through the same memory as a callback (recordEvent in ./events.ts,
 * against the in-process store ./storeCache.ts shares with webhook()), decided and written back
 * with no await in between: a callback that arrives for it later is a duplicate, and an event the
 * memory already holds is never emitted again.
 */
import type { IDataObject, INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';

import { fetchJob, fetchJobStatus } from '../shared/fetchJob';
import { pause } from '../shared/transport';
import { requestsPerMinute } from '../shared/transport/pacing';
import { RATE_LIMIT } from '../shared/contract';
import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import { saveStore } from './eventStore';
import { recordEvent, rememberedJobStatus, unfinishedJobs, type StoreLimits } from './events';
import { missedEvents } from './missedEvents';
import { replayedItems, type ReplaySettings } from './replay';
import { currentStore, STORE_KEY } from './storeCache';

/** Catch-up never uses more than this share of the partner key's requests per minute. */
export const CATCH_UP_SHARE = 0.25;
export const DEFAULT_CATCH_UP_INTERVAL_MINUTES = 10;

export interface CatchUpSettings {
	/** the in-process store's key (storeCacheKey, the production webhook's) */
	storeKey: string;
	wanted: readonly string[];
	limits: StoreLimits;
	/** the memory may lack callbacks another n8n process handled: say so on what is emitted */
	unsure: boolean;
	signal: AbortSignal;
}

export interface PassReport {
	checked: number;
	emitted: number;
	failed: number;
}

/** Milliseconds between catch-up requests, so that it keeps to CATCH_UP_SHARE of the limit. */
export function catchUpSpacingMs(perMinute: number): number {
	return Math.ceil(60_000 / Math.max(1, Math.floor(perMinute * CATCH_UP_SHARE)));
}

/** Jobs checked least recently first (never checked first), so a long list is worked through in turns. */
const lastChecked = new Map<string, number>();
/** Far above what one process checks (5,000 jobs a node); past it the turns simply start again. */
const MAX_CHECKED_ENTRIES = 50_000;

/** One pass over the remembered unfinished jobs, at most `maxJobs` of them. */
export async function catchUpPass(context: ITriggerFunctions, settings: CatchUpSettings, maxJobs: number): Promise<PassReport> {
	const report: PassReport = { checked: 0, emitted: 0, failed: 0 };
	const staticData = context.getWorkflowStaticData('node');
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const spacing = catchUpSpacingMs(Math.min(RATE_LIMIT.requests, requestsPerMinute(credentials) ?? RATE_LIMIT.requests));
	const checkedKey = (jobId: number) => `${settings.storeKey}:${jobId}`;
	if (lastChecked.size > MAX_CHECKED_ENTRIES) lastChecked.clear();
	const jobs = unfinishedJobs(currentStore(settings.storeKey, staticData[STORE_KEY], Date.now()))
		.map((job, order) => ({ job, order, at: lastChecked.get(checkedKey(job.jobId)) ?? 0 }))
		.sort((x, y) => x.at - y.at || x.order - y.order)
		.slice(0, maxJobs)
		.map(({ job }) => job);
	let requests = 0;
	const paced = async <T>(call: () => Promise<T>): Promise<T> => {
		if (requests++ > 0) await pause(context, spacing, undefined, settings.signal);
		return await call();
	};
	for (const { jobId } of jobs) {
		if (settings.signal.aborted) break;
		lastChecked.set(checkedKey(jobId), Date.now());
		try {
			const { status } = await paced(() => fetchJobStatus.call(context, jobId, { abortSignal: settings.signal }));
			report.checked++;
			const before = rememberedJobStatus(currentStore(settings.storeKey, staticData[STORE_KEY], Date.now()), jobId);
			if (before === undefined || missedEvents(before, status).length === 0) continue;
			let record: IDataObject;
			try {
				record = { job: await paced(() => fetchJob.call(context, jobId, { abortSignal: settings.signal })) };
			} catch (error) {
				record = { job: null, jobError: (error as Error).message };
			}
			// deactivated meanwhile: the next activation catches up
			if (settings.signal.aborted) break;
			report.emitted += emitMissed(context, settings, jobId, status, record);
		} catch (error) {
			if (settings.signal.aborted) break;
			report.failed++;
			context.logger.warn(`G2 Sentry catch-up could not check job ${jobId}: ${(error as Error).message}`);
		}
	}
	return report;
}

/**
 * Decides, records and emits what job `jobId` missed, against the memory as it is now (a
 * callback may have arrived while its status was fetched). No await from reading the store to
 * writing it back. Returns how many executions were started.
 */
function emitMissed(context: ITriggerFunctions, settings: CatchUpSettings, jobId: number, status: string, record: IDataObject): number {
	const staticData = context.getWorkflowStaticData('node');
	const store = currentStore(settings.storeKey, staticData[STORE_KEY], Date.now());
	const before = rememberedJobStatus(store, jobId);
	if (before === undefined) return 0;
	const job = (record.job ?? null) as IDataObject | null;
	const guardian = (job?.guardian ?? null) as IDataObject | null;
	const phone = typeof guardian?.phone === 'string' ? guardian.phone : null;
	const now = Date.now();
	const items: INodeExecutionData[] = [];
	for (const missed of missedEvents(before, status)) {
		// the callback for this step would carry the Guardian's number on these two (partner-api.md)
		const guardianPhone = missed.eventType === 'JobAssigned' || missed.eventType === 'JobStarted' ? phone : null;
		const verdict = recordEvent(store, { jobId, eventType: missed.eventType, jobStatus: missed.jobStatus, guardianPhone }, now, settings.limits);
		if (verdict.duplicate || !settings.wanted.includes(missed.eventType)) continue;
		items.push({
			json: {
				jobId,
				eventType: missed.eventType,
				jobName: typeof job?.name === 'string' ? job.name : null,
				jobStatus: missed.jobStatus,
				guardianPhone,
				receivedAt: new Date(now).toISOString(),
				stale: verdict.stale,
				possibleRepeat: verdict.possibleRepeat === true || settings.unsure,
				signedWithPreviousSecret: false,
				recovered: true,
				currentStatus: status,
				...record,
			},
		});
	}
	// assigning the key marks static data as changed; n8n saves it when emit() starts a run
	staticData[STORE_KEY] = saveStore(store) as unknown as IDataObject;
	for (const item of items) context.emit([[item]]);
	return items.length;
}

/**
 * Runs a pass now and then one every `intervalMs` until `signal` aborts (the workflow is
 * deactivated: the node's closeFunction). 0 means at activation only. A pass never throws: a
 * failure is logged and the next pass tries again.
 */
export async function catchUpLoop(
	context: ITriggerFunctions,
	settings: Omit<CatchUpSettings, 'unsure'>,
	intervalMs: number,
	unsureAfterFirstPass: () => boolean,
): Promise<void> {
	for (let pass = 0; !settings.signal.aborted; pass++) {
		// the share of the limit, over the interval (or one minute at activation only)
		const credentials = await context.getCredentials(CREDENTIAL_TYPE).catch(() => ({}) as IDataObject);
		const perMinute = Math.min(RATE_LIMIT.requests, requestsPerMinute(credentials) ?? RATE_LIMIT.requests);
		// a pass fits its interval (a status and, for a changed job, its record per job); a pass at
		// activation only takes as long as it needs
		const budget =
			intervalMs > 0 ? Math.max(1, Math.floor((perMinute * CATCH_UP_SHARE * intervalMs) / 60_000 / 2)) : Number.POSITIVE_INFINITY;
		try {
			const report = await catchUpPass(context, { ...settings, unsure: pass > 0 && unsureAfterFirstPass() }, budget);
			if (report.emitted > 0 || report.failed > 0) {
				context.logger.info(
					`G2 Sentry catch-up: ${report.checked} unfinished job(s) checked, ${report.emitted} missed event(s) emitted, ${report.failed} check(s) failed`,
				);
			}
		} catch (error) {
			if (settings.signal.aborted) return;
			context.logger.warn(`G2 Sentry catch-up failed: ${(error as Error).message}`);
		}
		if (intervalMs <= 0) return;
		try {
			await pause(context, intervalMs, undefined, settings.signal);
		} catch {
			return; // deactivated
		}
	}
}

/**
 * At activation (n8n started, workflow published) in a process that has not read the memory yet:
 * re-runs the steps a predecessor recorded just before it stopped (./replay.ts), one run per step
 * as catch-up does. Decided and written back with no await in between.
 */
export function replayAtActivation(context: ITriggerFunctions, storeKey: string, settings: ReplaySettings): void {
	const staticData = context.getWorkflowStaticData('node');
	const now = Date.now();
	let items: INodeExecutionData[];
	try {
		const store = currentStore(storeKey, staticData[STORE_KEY], now);
		items = replayedItems(store, settings, now);
		// Written back only when something is re-run: a write stamps the memory with this process,
		// and in queue mode a webhook process reading the main's stamp holds every event in doubt
		// for a while (storeCache.ts), marking callbacks possibleRepeat with no cause.
		if (items.length > 0) staticData[STORE_KEY] = saveStore(store) as unknown as IDataObject;
	} catch (error) {
		// unreadable memory: webhook() says so with each callback; nothing to replay from it
		context.logger.warn(`G2 Sentry Trigger could not check for events to re-run after a restart: ${(error as Error).message}`);
		return;
	}
	if (items.length > 0) context.logger.info(`G2 Sentry Trigger: re-running ${items.length} event(s) recorded just before n8n stopped (marked possibleRepeat)`);
	for (const item of items) context.emit([[item]]);
}

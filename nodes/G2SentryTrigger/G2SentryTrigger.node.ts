import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import { CALLBACK_EVENTS } from '../shared/contract';
import { previousSecretAccepted, readCallbackSecrets, usableSecrets } from './callbackSecrets';
import { triggerPanel, triggerProperties } from './description';
import { catchUpLoop, DEFAULT_CATCH_UP_INTERVAL_MINUTES, replayAtActivation } from './catchUp';
import { saveStore, type EventStore } from './eventStore';
import { effectiveLimits, recordEvent } from './events';
import { fetchJobRecord } from './jobRecord';
import { MAX_CALLBACK_BYTES, parseCallback } from './payload';
import { refusalToLog, toLog } from './refusalLog';
import { impliedItems } from './implied';
import { replayedItems } from './replay';
import { verifyCallback } from './secretsCache';
import { signatureHeaderProblem } from './signature';
import { currentStore, STORE_KEY, storeCacheKey } from './storeCache';
import { holdTestEvent, takeTestEvent } from './testEvent';

/** Key of the node's static data holding the URL it serves (the memory: STORE_KEY). */
const URL_KEY = 'callbackUrl';

/** Stores this process decided a callback against: catch-up's memory there is complete. */
const callbacksHandled = new Set<string>();

interface TriggerOptions {
	catchUp?: boolean;
	catchUpIntervalMinutes?: number;
	dropStale?: boolean;
	emitUnknownEvents?: boolean;
	includeJob?: boolean;
	replayAfterRestart?: boolean;
	retentionHours?: number;
}

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/** Answers the request here (small JSON body) so n8n saves static data before any run starts. */
function reply(res: Response, status: number, body: IDataObject): IWebhookResponseData {
	res.status(status).json(body);
	return { noWebhookResponse: true };
}

const HOUR_MS = 60 * 60 * 1000;
/** How often n8n's log is reminded, per workflow, that the previous callback secret is still in use. */
export const PREVIOUS_SECRET_WARNING_EVERY_MS = 24 * HOUR_MS;
/** How often, per workflow, a saved memory that could not be read (wholly or partly) is logged. */
export const MEMORY_WARNING_EVERY_MS = HOUR_MS;

const workflowOf = (context: IWebhookFunctions) => String(context.getWorkflow().id ?? '');

/** Logs a refused callback, at most one line a minute per workflow and reason (see refusalLog). */
function logRefusal(context: IWebhookFunctions, reason: string, detail: string): void {
	const { log, unlogged } = refusalToLog(workflowOf(context), reason, Date.now());
	if (!log) return;
	const since = unlogged > 0 ? ` (${unlogged} more refused for this reason since the last such line)` : '';
	context.logger.warn(`G2 Sentry callback refused: ${detail}${since}`, { reason });
}

/** Logs a warning at most once per `everyMs` per workflow (see refusalLog). */
function warnLimited(context: IWebhookFunctions, topic: string, everyMs: number, message: string): void {
	const { log, unlogged } = toLog(workflowOf(context), topic, Date.now(), everyMs);
	if (!log) return;
	context.logger.warn(unlogged > 0 ? `${message} (${unlogged} more times since the last such line)` : message, { topic });
}

/**
 * The node's settings for one delivery. An Events value that is not a list (an expression gone
 * wrong) is refused by name; n8n answers 500, so G2 Sentry retries while it is put right.
 */
function readSettings(context: IWebhookFunctions | ITriggerFunctions): { options: TriggerOptions; wanted: readonly string[] } {
	const options = (context.getNodeParameter('options', {}) ?? {}) as TriggerOptions;
	const selected = context.getNodeParameter('events', []) as unknown;
	if (selected === null || selected === undefined || selected === '') return { options, wanted: CALLBACK_EVENTS };
	if (!Array.isArray(selected) || !selected.every((name) => typeof name === 'string')) {
		throw new NodeOperationError(context.getNode(), 'The Events parameter must be a list of event names such as JobAssigned', {
			description: 'Pick the events in the list, or make the expression return an array of event names.',
		});
	}
	return { options, wanted: selected.length === 0 ? CALLBACK_EVENTS : selected };
}

/** Which test event belongs to which test run: the workflow and the node. */
function testEventKey(context: IWebhookFunctions | ITriggerFunctions): string {
	return `${context.getWorkflow().id ?? ''}:${context.getNode().id}`;
}

export class G2SentryTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'G2 Sentry Trigger',
		name: 'g2SentryTrigger',
		icon: { light: 'file:g2sentryTrigger.svg', dark: 'file:g2sentryTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		// Event labels, not the wire names ("JobWithdrawed"); none or all four read "all job events".
		subtitle:
			'={{ "On " + ([0, 4].includes([].concat($parameter["events"] || []).length) ? "All Job Events" : [].concat($parameter["events"]).map((e) => ({ JobAssigned: "Job Assigned", JobStarted: "Job Started", JobCompleted: "Job Completed", JobWithdrawed: "Job Withdrawn" })[e] || e).join(", ")) }}',
		// n8n's nodes panel shows this node and the G2 Sentry node as one entry with this text,
		// also where actions are picked, so it covers both.
		description:
			'Book security Guardians with G2 Sentry, and start workflows when a Guardian accepts, starts, completes or withdraws a job',
		defaults: { name: 'G2 Sentry Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'g2sentry' }],
		triggerPanel,
		properties: triggerProperties,
	};

	/**
	 * G2 Sentry has no API to register a callback URL: the user pastes it into the portal. So
	 * "registering" records which URL this node serves (and refuses a credential without a
	 * callback secret, which could never accept a callback); nothing is sent anywhere.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				return data[URL_KEY] === this.getNodeWebhookUrl('default');
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const secrets = usableSecrets(await readCallbackSecrets(this), Date.now());
				if (!secrets.some((secret) => secret.length > 0)) {
					throw new NodeOperationError(this.getNode(), 'The G2 Sentry credential has no callback secret', {
						description:
							'Copy the callback secret from the G2 Sentry partner portal into the credential. Without it every callback would be refused with 401.',
					});
				}
				this.getWorkflowStaticData('node')[URL_KEY] = this.getNodeWebhookUrl('default');
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				// The URL stays in the portal until the user removes it; only the local record goes.
				delete this.getWorkflowStaticData('node')[URL_KEY];
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const receivedAt = new Date();
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		// The exact bytes received: the signature covers them, not n8n's parsed body.
		if (!req.rawBody) await req.readRawBody();
		const raw = req.rawBody ?? Buffer.alloc(0);
		// Before the signature: a forged flood of huge bodies costs no HMAC and no parsing.
		if (raw.length > MAX_CALLBACK_BYTES) {
			logRefusal(this, 'body-too-large', `body of ${raw.length} bytes is too large`);
			return reply(res, 413, { status: 'rejected', reason: 'body-too-large' });
		}

		// A missing or malformed signature is refused before the credential is read: in n8n 2.x that
		// read is a database query plus an expression isolate built for it alone (docs/performance.md).
		const headerProblem = signatureHeaderProblem(req.headers['x-signature']);
		if (headerProblem !== undefined) {
			logRefusal(this, headerProblem, headerProblem);
			return reply(res, 401, { status: 'rejected', reason: headerProblem });
		}

		// The secrets read within the last few seconds, or the credential's own (secretsCache.ts).
		const { check, credential, readError } = await verifyCallback(this, raw, req.headers['x-signature'], receivedAt.getTime());
		if (readError !== undefined) {
			// Refused below (401, no run; 'no-secret' unless cached secrets were checked) rather than a
			// failed execution per request.
			warnLimited(this, 'credential-unreadable', 60_000, `G2 Sentry credential could not be read: ${readError.message}`);
		}
		if (!check.valid) {
			logRefusal(this, check.reason, check.reason);
			return reply(res, 401, { status: 'rejected', reason: check.reason });
		}
		const viaPrevious = check.secretIndex === 1;
		if (viaPrevious && !previousSecretAccepted(credential.previousUntil, receivedAt.getTime())) {
			const reason = 'previous-secret-ended';
			const until = Number.isNaN(credential.previousUntil) ? 'is not a date' : `ended ${new Date(credential.previousUntil!).toISOString()}`;
			logRefusal(this, reason, `signed with the previous callback secret, whose "Previous Secret Valid Until" ${until}`);
			return reply(res, 401, { status: 'rejected', reason });
		}
		if (viaPrevious) {
			const until = credential.previousUntil === undefined ? 'without end ("Previous Secret Valid Until" is empty)' : `until ${new Date(credential.previousUntil).toISOString()}`;
			warnLimited(
				this,
				'previous-secret-in-use',
				PREVIOUS_SECRET_WARNING_EVERY_MS,
				`G2 Sentry callbacks are still signed with the previous callback secret, accepted ${until}: finish the rotation in the partner portal, then empty "Previous Callback Secret" in the credential`,
			);
		}

		const parsed = parseCallback(raw);
		if (!parsed.ok) {
			logRefusal(this, 'bad-payload', parsed.message);
			return reply(res, 400, { status: 'rejected', message: parsed.message });
		}
		const event = parsed.event;
		// Settings are read before the event is recorded: a failure after that point would leave the
		// event remembered and its retries answered as duplicates, i.e. lost.
		const { options, wanted } = readSettings(this);
		if (!event.known && options.emitUnknownEvents !== true) {
			return reply(res, 200, { status: 'ignored', reason: 'unknown event type' });
		}

		// Every valid event is recorded, filtered ones too: the per-job history must stay whole.
		// No await from here on until the store is written back (see storeCache).
		const limits = effectiveLimits(
			options.retentionHours === undefined ? {} : { maxAgeMs: options.retentionHours * 60 * 60 * 1000 },
		);
		const staticData = this.getWorkflowStaticData('node');
		const cacheKey = storeCacheKey(this.getWorkflow().id, this.getNode().id, this.getMode());
		const unreadable = { count: 0 };
		let store: EventStore;
		try {
			store = currentStore(cacheKey, staticData[STORE_KEY], receivedAt.getTime(), unreadable);
		} catch {
			// saved data this build cannot even walk: start from this process's copy (or empty)
			// rather than fail every delivery; it is overwritten with the next save
			unreadable.count += 1;
			store = currentStore(cacheKey, undefined, receivedAt.getTime());
		}
		callbacksHandled.add(cacheKey);
		// the first callback after a restart re-runs what the predecessor may have lost (replay.ts);
		// taken before this event is recorded, which drops the job's steps older than the window
		const replay: INodeExecutionData[] =
			this.getMode() === 'manual' ? [] : replayedItems(store, { enabled: options.replayAfterRestart !== false, wanted, dropStale: options.dropStale === true }, receivedAt.getTime());
		const verdict = recordEvent(store, event, receivedAt.getTime(), limits);
		// Assigning the key marks static data as changed for n8n to save.
		staticData[STORE_KEY] = saveStore(store) as unknown as IDataObject;

		if (unreadable.count > 0) {
			warnLimited(
				this,
				'memory-unreadable',
				MEMORY_WARNING_EVERY_MS,
				`G2 Sentry Trigger: ${unreadable.count} entries of the saved delivery memory could not be read and were left out; redeliveries of those jobs' events may run again`,
			);
		}
		// steps this callback proves were lost (implied.ts): in the same run, in lifecycle order
		// around it (before it, or after it when it is the earlier step arriving last)
		const impliedSteps = verdict.implied ?? [];
		const impliedRun = (follows: boolean): INodeExecutionData[] =>
			impliedItems(impliedSteps.filter((step) => (step.follows === true) === follows), event, receivedAt, viaPrevious)
				.filter(({ json }) => wanted.includes(json.eventType) && !(json.stale && options.dropStale === true));
		const preceding = impliedRun(false);
		const following = impliedRun(true);
		const carried = [...replay, ...preceding, ...following];
		// an event that starts no run still carries the replay and implied steps, if any, into one
		const skip = (status: string) => (carried.length ? { ...reply(res, 200, { status }), workflowData: [carried] } : reply(res, 200, { status }));
		if (verdict.duplicate) return skip('duplicate');
		if (event.known && !wanted.includes(event.eventType)) return skip('filtered');
		if (verdict.stale && options.dropStale === true) return skip('stale');

		const item: INodeExecutionData = {
			json: {
				jobId: event.jobId,
				eventType: event.eventType,
				jobName: event.jobName,
				jobStatus: event.jobStatus,
				guardianPhone: event.guardianPhone,
				receivedAt: receivedAt.toISOString(),
				stale: verdict.stale,
				possibleRepeat: verdict.possibleRepeat === true,
				signedWithPreviousSecret: viaPrevious,
				verifiedWith: viaPrevious ? 'previous' : 'current',
				recovered: false,
			},
		};
		// Acknowledge before anything slow: the vendor retries on slowness.
		res.status(200).json({ status: 'accepted' });
		if (options.includeJob === true) Object.assign(item.json, await fetchJobRecord(this, event.jobId));
		// a test run takes its output from trigger() (see testEvent)
		if (this.getMode() === 'manual') holdTestEvent(testEventKey(this), [[...preceding, item, ...following]]);
		return { noWebhookResponse: true, workflowData: [[...replay, ...preceding, item, ...following]] };
	}

	/**
	 * Catch-up after an outage (./catchUp.ts): n8n calls this when the workflow is published or
	 * n8n starts, beside registering the webhook. In the editor's test mode it only hands on the
	 * test event webhook() received (./testEvent.ts).
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		if (this.getMode() === 'manual') {
			const key = testEventKey(this);
			const manualTriggerFunction = async () => {
				const items = takeTestEvent(key);
				if (items === undefined) {
					throw new NodeOperationError(this.getNode(), 'The test event did not reach this run', {
						description:
							'This n8n ran the test execution in another process than the one that received the callback (for example on a queue-mode worker). Publish the workflow and look at its executions instead.',
					});
				}
				this.emit(items);
			};
			return { manualTriggerFunction };
		}
		let settings: ReturnType<typeof readSettings>;
		try {
			settings = readSettings(this);
		} catch (error) {
			// the webhook refuses every callback with the same message (500, so G2 Sentry retries);
			// failing here would also stop the workflow from being published
			this.logger.warn(`G2 Sentry catch-up is off until the node's settings are fixed: ${(error as Error).message}`);
			return {};
		}
		const { options, wanted } = settings;
		const storeKey = storeCacheKey(this.getWorkflow().id, this.getNode().id, 'webhook');
		replayAtActivation(this, storeKey, { enabled: options.replayAfterRestart !== false, wanted, dropStale: options.dropStale === true });
		if (options.catchUp === false) return {};
		const minutes = options.catchUpIntervalMinutes;
		const intervalMs = (typeof minutes === 'number' && Number.isFinite(minutes) && minutes >= 0 ? minutes : DEFAULT_CATCH_UP_INTERVAL_MINUTES) * 60_000;
		const limits = effectiveLimits(
			options.retentionHours === undefined ? {} : { maxAgeMs: options.retentionHours * 60 * 60 * 1000 },
		);
		const stop = new AbortController();
		// runs beside the webhook until the workflow is deactivated; never throws (see catchUpLoop)
		void catchUpLoop(this, { storeKey, wanted, limits, signal: stop.signal }, intervalMs, () => !callbacksHandled.has(storeKey));
		return {
			closeFunction: async () => {
				stop.abort();
			},
		};
	}
}

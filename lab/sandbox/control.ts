/** The /_control API: inspect and steer a running sandbox from tests and demos (no auth, local only). */
import { CUT_OFF_MS, ERROR_CODES, JOB_STATUSES, type JobStatus } from '../../nodes/shared/contract';
import { jobRecord } from './apiJobs';
import type { FailRule, SandboxCore } from './core';
import { error, json, parseJsonBody, route, validationError, type Reply, type RequestContext, type Route } from './http';
import { API_FAULTS, checkConfigPatch, RUN_TIME_OPTIONS, type ApiFault, type SandboxConfigPatch, type SandboxOptions } from './options';
import { bodyShape, boolean, checkObject, number, oneOf, optionList, wholeNumber, type Schema } from './schema';
import type { JobState } from './store';
import { checkId } from './validation';

/** Where inside-cut-off puts the scheduled start unless told otherwise: 1 h from now. */
const DEFAULT_STARTS_IN_MS = 60 * 60 * 1000;

/** Configuration as shown by the control API: secrets are reported as set, never echoed. */
export function publicConfig(config: SandboxOptions): object {
	const { log: _log, partners, callbackSecret, ...rest } = config;
	return {
		...rest,
		callbackSecret: callbackSecret ? '(set)' : '(none)',
		partners: partners.map((p) => ({ partnerKey: p.partnerKey, name: p.name, callbackUrl: p.callbackUrl ?? null })),
	};
}

export function rawJob(core: SandboxCore, job: JobState): object {
	return {
		...jobRecord(job, core.origin),
		partnerKey: job.partnerKey,
		review: job.review,
		insideCutOff: core.jobs.insideCutOff(job),
		createdAt: job.createdAt,
		updatedAt: job.updatedAt,
		history: job.history,
		nextDispatch: core.dispatcher.planned(job.jobId),
	};
}

/** The bodies the control routes take (every field optional unless listed in `required`). */
const BODIES = {
	transition: { fields: { to: oneOf(...JOB_STATUSES) }, required: ['to'] },
	insideCutOff: { fields: { startsInMs: number(-Infinity) } },
	failNext: {
		fields: {
			count: wholeNumber(1),
			status: oneOf(429, 500, 502, 503),
			retryAfterSeconds: wholeNumber(0),
			drop: boolean,
			fault: oneOf(...API_FAULTS),
			delayMs: wholeNumber(0, 120_000),
			after: boolean,
			path: { kind: 'pathPattern' },
			method: { kind: 'text', nonEmpty: false, what: 'an HTTP method' },
		},
	},
	expireTokens: { fields: { which: oneOf('access', 'refresh', 'all') } },
} satisfies Record<string, { fields: Schema; required?: readonly string[] }>;

/**
 * A control body checked against its schema: a JSON object, empty allowed where every field is
 * optional. Any other key is a 400 naming it: a typo ("startsIn") must not quietly fall back to
 * the default.
 */
function readJson(
	ctx: RequestContext,
	body: { fields: Schema; required?: readonly string[] },
	invalid = 'The request is invalid.',
): { ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply } {
	if (!body.required && ctx.rawBody.length === 0) return { ok: true, value: {} };
	const parsed = parseJsonBody(ctx);
	if (!parsed.ok) return parsed;
	const errors = checkObject(body.fields, parsed.value, { allowHttpCallbacks: true }, {
		unknown: (known) => `is not accepted here (known: ${known.join(', ')})`,
		required: body.required,
	});
	if (errors.length > 0) return { ok: false, reply: validationError(errors, invalid) };
	return { ok: true, value: parsed.value as Record<string, unknown> };
}

export function controlRoutes(core: SandboxCore, describe: (routes: Route[]) => object): Route[] {
	const findJob = (ctx: RequestContext): JobState | Reply => {
		const id = checkId(ctx.params.jobId, 'jobId');
		if (!id.ok) return validationError(id.errors);
		return core.jobs.get(id.value) ?? error(404, ERROR_CODES.notFound, `No job ${id.value}.`);
	};
	const withJob = (handler: (ctx: RequestContext, job: JobState) => Reply) => (ctx: RequestContext) => {
		const job = findJob(ctx);
		return 'jobId' in job ? handler(ctx, job) : job;
	};

	const routes: Route[] = [
		route('GET', '/', () => json(200, describe(routes)), 'this description'),

		route('GET', '/config', () => json(200, publicConfig(core.config)), 'current options (secrets shown as "(set)")'),
		route('POST', '/config', (ctx) => {
			const body = parseJsonBody(ctx);
			if (!body.ok) return body.reply;
			const errors = checkConfigPatch(body.value, core.config.allowHttpCallbacks);
			if (errors.length > 0) return validationError(errors, 'The configuration patch is invalid.');
			core.configure(body.value as SandboxConfigPatch);
			return json(200, publicConfig(core.config));
		}, `patch options at run time: ${optionList(RUN_TIME_OPTIONS)}`),

		route('GET', '/jobs', () => json(200, core.jobs.list().map((job) => rawJob(core, job))), 'every job of every partner, raw state with history'),
		route('GET', '/jobs/:jobId', withJob((_ctx, job) => json(200, rawJob(core, job))), 'one job, raw state'),

		route('POST', '/jobs/:jobId/transition', withJob((ctx, job) => {
			const body = readJson(ctx, BODIES.transition);
			if (!body.ok) return body.reply;
			const to = body.value.to as JobStatus;
			const result = core.jobs.transition(job.jobId, to, 'control');
			if (!result.ok) {
				const allowed = result.allowed.length > 0 ? result.allowed.join(', ') : 'nothing (final status)';
				return error(422, ERROR_CODES.invalidState, `Job ${job.jobId} cannot go from ${job.status} to ${to}; allowed: ${allowed}.`);
			}
			return json(200, rawJob(core, job));
		}), `${bodyShape(BODIES.transition)} one allowed step, firing the callback`),

		route('POST', '/jobs/:jobId/withdraw', withJob((_ctx, job) => {
			if (job.status !== 'Assigned') {
				return error(422, ERROR_CODES.invalidState, `Only an Assigned job can be withdrawn from; this one is ${job.status}.`);
			}
			if (core.jobs.insideCutOff(job)) {
				return error(422, ERROR_CODES.cutOff, 'The job starts in less than 2 hours: the Guardian can no longer withdraw.');
			}
			core.jobs.transition(job.jobId, 'New', 'control');
			return json(200, rawJob(core, job));
		}), 'the assigned Guardian withdraws (JobWithdrawed); refused inside the cut-off'),

		route('POST', '/jobs/:jobId/inside-cut-off', withJob((ctx, job) => {
			const body = readJson(ctx, BODIES.insideCutOff);
			if (!body.ok) return body.reply;
			const startsInMs = (body.value.startsInMs as number | undefined) ?? DEFAULT_STARTS_IN_MS;
			if (startsInMs >= CUT_OFF_MS) {
				return validationError([{ fieldName: 'startsInMs', message: `must be a number of ms below ${CUT_OFF_MS} (the 2 h cut-off)` }]);
			}
			core.jobs.moveStart(job, startsInMs);
			return json(200, rawJob(core, job));
		}), `${bodyShape(BODIES.insideCutOff)} move the scheduled start to within 2 h (default 1 h from now)`),

		route('GET', '/deliveries', (ctx) => {
			const jobId = ctx.query.get('jobId');
			const list = core.deliverer.attempts.filter((a) => jobId === null || String(a.jobId) === jobId);
			return json(200, list);
		}, 'every callback attempt (?jobId= to filter)'),
		route('GET', '/requests', () => json(200, core.requests), 'every API request received'),

		route('POST', '/fail-next', (ctx) => {
			const body = readJson(ctx, BODIES.failNext, 'The failure rule is invalid.');
			if (!body.ok) return body.reply;
			if (body.value.delayMs && (body.value.status !== undefined || body.value.drop === true || body.value.fault !== undefined)) {
				const message = 'slows a normal answer down: give it without status, drop or fault';
				return validationError([{ fieldName: 'delayMs', message }], 'The failure rule is invalid.');
			}
			if (body.value.fault !== undefined && (body.value.status !== undefined || body.value.drop === true)) {
				const message = 'replaces the answer: give it without status or drop';
				return validationError([{ fieldName: 'fault', message }], 'The failure rule is invalid.');
			}
			core.failRules.push(failRule(body.value));
			return json(200, { pending: core.failRules.map(describeRule) });
		}, `${bodyShape(BODIES.failNext)} fail (429 with Retry-After, 5xx, dropped, or a fault: html page, empty 200, trickled, oversized, no answer, huge) or, with delayMs alone, slow down the next matching API requests`),
		route('GET', '/fail-next', () => json(200, { pending: core.failRules.map(describeRule) }), 'failure rules still pending'),
		route('DELETE', '/fail-next', () => {
			core.failRules = [];
			return json(200, { pending: [] });
		}, 'drop pending failure rules'),

		route('POST', '/expire-tokens', (ctx) => {
			const body = readJson(ctx, BODIES.expireTokens);
			if (!body.ok) return body.reply;
			const which = body.value.which ?? 'all';
			const expired = core.tokens.expire({ access: which !== 'refresh', refresh: which !== 'access' });
			return json(200, { expired });
		}, `${bodyShape(BODIES.expireTokens)} expire the tokens issued so far`),

		// every access and refresh token issued since start-up (reset and expiry included), so a test
		// can prove none of them leaked into logs, errors or a database
		route('GET', '/tokens', () => json(200, { issued: core.tokens.issuedSoFar() }), 'every access and refresh token issued since start-up'),

		route('POST', '/reset', () => {
			core.reset();
			return json(200, { code: 'SUCCESS', message: 'Sandbox reset to its start-up options.' });
		}, 'forget jobs, tokens, deliveries, requests and rules; back to start-up options'),
	];
	return routes;
}

/** A checked fail-next body as the rule core.takeInjection() applies. */
function failRule(body: Record<string, unknown>): FailRule {
	const path = typeof body.path === 'string' ? body.path : null;
	return {
		remaining: (body.count as number | undefined) ?? 1,
		status: (body.status as FailRule['status'] | undefined) ?? 500,
		retryAfterSeconds: (body.retryAfterSeconds as number | undefined) ?? 1,
		drop: body.drop === true,
		fault: (body.fault as ApiFault | undefined) ?? null,
		delayMs: (body.delayMs as number | undefined) ?? 0,
		after: body.after === true,
		path,
		method: typeof body.method === 'string' ? body.method.toUpperCase() : null,
	};
}

function describeRule(rule: FailRule): object {
	return {
		remaining: rule.remaining,
		status: rule.drop || rule.delayMs > 0 || rule.fault ? null : rule.status,
		...(rule.fault ? { fault: rule.fault } : {}),
		...(rule.status === 429 ? { retryAfterSeconds: rule.retryAfterSeconds } : {}),
		drop: rule.drop,
		after: rule.after,
		...(rule.delayMs > 0 ? { delayMs: rule.delayMs } : {}),
		path: rule.path,
		method: rule.method,
	};
}

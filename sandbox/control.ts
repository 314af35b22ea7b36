/** The /_control API: inspect and steer a running sandbox from tests and demos (no auth, local only). */
import { CUT_OFF_MS, ERROR_CODES, JOB_STATUSES, type JobStatus } from '../nodes/shared/contract';
import { jobRecord } from './apiJobs';
import type { FailRule, SandboxCore } from './core';
import { error, json, parseJsonBody, route, validationError, type Reply, type RequestContext, type Route } from './http';
import { checkConfigPatch, isPlainObject, type SandboxConfigPatch, type SandboxOptions } from './options';
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

/**
 * A control body: a JSON object, empty allowed where every field is optional. With `fields`, any
 * other key is a 400 naming it: a typo ("startsIn") must not quietly fall back to the default.
 */
function readJson(
	ctx: RequestContext,
	emptyIsObject: boolean,
	fields?: readonly string[],
): { ok: true; value: Record<string, unknown> } | { ok: false; reply: Reply } {
	if (emptyIsObject && ctx.rawBody.length === 0) return { ok: true, value: {} };
	const parsed = parseJsonBody(ctx);
	if (!parsed.ok) return parsed;
	if (!isPlainObject(parsed.value)) return { ok: false, reply: validationError([{ fieldName: 'body', message: 'must be a JSON object' }]) };
	const unknown = fields ? Object.keys(parsed.value).filter((key) => !fields.includes(key)) : [];
	if (unknown.length > 0) {
		const errors = unknown.map((key) => ({ fieldName: key, message: `is not accepted here (known: ${fields!.join(', ')})` }));
		return { ok: false, reply: validationError(errors) };
	}
	return { ok: true, value: parsed.value };
}

export function controlRoutes(core: SandboxCore, describe: () => object): Route[] {
	const findJob = (ctx: RequestContext): JobState | Reply => {
		const id = checkId(ctx.params.jobId, 'jobId');
		if (!id.ok) return validationError(id.errors);
		return core.jobs.get(id.value) ?? error(404, ERROR_CODES.notFound, `No job ${id.value}.`);
	};
	const withJob = (handler: (ctx: RequestContext, job: JobState) => Reply) => (ctx: RequestContext) => {
		const job = findJob(ctx);
		return 'jobId' in job ? handler(ctx, job) : job;
	};

	return [
		route('GET', '/', () => json(200, describe())),

		route('GET', '/config', () => json(200, publicConfig(core.config))),
		route('POST', '/config', (ctx) => {
			const body = readJson(ctx, false);
			if (!body.ok) return body.reply;
			const errors = checkConfigPatch(body.value, core.config.allowHttpCallbacks);
			if (errors.length > 0) return validationError(errors, 'The configuration patch is invalid.');
			core.configure(body.value as SandboxConfigPatch);
			return json(200, publicConfig(core.config));
		}),

		route('GET', '/jobs', () => json(200, core.jobs.list().map((job) => rawJob(core, job)))),
		route('GET', '/jobs/:jobId', withJob((_ctx, job) => json(200, rawJob(core, job)))),

		route('POST', '/jobs/:jobId/transition', withJob((ctx, job) => {
			const body = readJson(ctx, false, ['to']);
			if (!body.ok) return body.reply;
			const to = body.value.to;
			if (typeof to !== 'string' || !(JOB_STATUSES as readonly string[]).includes(to)) {
				return validationError([{ fieldName: 'to', message: `must be one of ${JOB_STATUSES.join(', ')}` }]);
			}
			const result = core.jobs.transition(job.jobId, to as JobStatus, 'control');
			if (!result.ok) {
				const allowed = result.allowed.length > 0 ? result.allowed.join(', ') : 'nothing (final status)';
				return error(422, ERROR_CODES.invalidState, `Job ${job.jobId} cannot go from ${job.status} to ${to}; allowed: ${allowed}.`);
			}
			return json(200, rawJob(core, job));
		})),

		route('POST', '/jobs/:jobId/withdraw', withJob((_ctx, job) => {
			if (job.status !== 'Assigned') {
				return error(422, ERROR_CODES.invalidState, `Only an Assigned job can be withdrawn from; this one is ${job.status}.`);
			}
			if (core.jobs.insideCutOff(job)) {
				return error(422, ERROR_CODES.cutOff, 'The job starts in less than 2 hours: the Guardian can no longer withdraw.');
			}
			core.jobs.transition(job.jobId, 'New', 'control');
			return json(200, rawJob(core, job));
		})),

		route('POST', '/jobs/:jobId/inside-cut-off', withJob((ctx, job) => {
			const body = readJson(ctx, true, ['startsInMs']);
			if (!body.ok) return body.reply;
			const startsInMs = body.value.startsInMs ?? DEFAULT_STARTS_IN_MS;
			if (typeof startsInMs !== 'number' || !Number.isFinite(startsInMs) || startsInMs >= CUT_OFF_MS) {
				return validationError([{ fieldName: 'startsInMs', message: `must be a number of ms below ${CUT_OFF_MS} (the 2 h cut-off)` }]);
			}
			core.jobs.moveStart(job, startsInMs);
			return json(200, rawJob(core, job));
		})),

		route('GET', '/deliveries', (ctx) => {
			const jobId = ctx.query.get('jobId');
			const list = core.deliverer.attempts.filter((a) => jobId === null || String(a.jobId) === jobId);
			return json(200, list);
		}),
		route('GET', '/requests', () => json(200, core.requests)),

		route('POST', '/fail-next', (ctx) => {
			const body = readJson(ctx, true, ['count', 'status', 'drop', 'after', 'path', 'method', 'retryAfterSeconds', 'delayMs']);
			if (!body.ok) return body.reply;
			const rule = checkFailRule(body.value);
			if ('reply' in rule) return rule.reply;
			core.failRules.push(rule);
			return json(200, { pending: core.failRules.map(describeRule) });
		}),
		route('GET', '/fail-next', () => json(200, { pending: core.failRules.map(describeRule) })),
		route('DELETE', '/fail-next', () => {
			core.failRules = [];
			return json(200, { pending: [] });
		}),

		route('POST', '/expire-tokens', (ctx) => {
			const body = readJson(ctx, true, ['which']);
			if (!body.ok) return body.reply;
			const which = body.value.which ?? 'all';
			if (which !== 'all' && which !== 'access' && which !== 'refresh') {
				return validationError([{ fieldName: 'which', message: 'must be access, refresh or all' }]);
			}
			const expired = core.tokens.expire({ access: which !== 'refresh', refresh: which !== 'access' });
			return json(200, { expired });
		}),

		// every access and refresh token issued since start-up (reset and expiry included), so a test
		// can prove none of them leaked into logs, errors or a database
		route('GET', '/tokens', () => json(200, { issued: core.tokens.issuedSoFar() })),

		route('POST', '/reset', () => {
			core.reset();
			return json(200, { code: 'SUCCESS', message: 'Sandbox reset to its start-up options.' });
		}),
	];
}

function checkFailRule(body: Record<string, unknown>): FailRule | { reply: Reply } {
	const errors: { fieldName: string; message: string }[] = [];
	const count = body.count ?? 1;
	if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) errors.push({ fieldName: 'count', message: 'must be a positive integer' });
	const status = body.status ?? 500;
	if (status !== 429 && status !== 500 && status !== 502 && status !== 503) errors.push({ fieldName: 'status', message: 'must be 429, 500, 502 or 503' });
	const retryAfterSeconds = body.retryAfterSeconds ?? 1;
	if (typeof retryAfterSeconds !== 'number' || !Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
		errors.push({ fieldName: 'retryAfterSeconds', message: 'must be a whole number of seconds, 0 or more' });
	}
	const delayMs = body.delayMs ?? 0;
	if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > 120_000) {
		errors.push({ fieldName: 'delayMs', message: 'must be a whole number of ms from 0 to 120000' });
	}
	if (delayMs !== 0 && (body.status !== undefined || body.drop === true)) {
		errors.push({ fieldName: 'delayMs', message: 'slows a normal answer down: give it without status or drop' });
	}
	for (const key of ['drop', 'after'] as const) {
		if (body[key] !== undefined && typeof body[key] !== 'boolean') errors.push({ fieldName: key, message: 'must be true or false' });
	}
	let path: RegExp | null = null;
	if (body.path !== undefined) {
		try {
			if (typeof body.path !== 'string') throw new Error();
			path = new RegExp(body.path);
		} catch {
			errors.push({ fieldName: 'path', message: 'must be a regular expression string' });
		}
	}
	const method = body.method;
	if (method !== undefined && typeof method !== 'string') errors.push({ fieldName: 'method', message: 'must be an HTTP method' });
	if (errors.length > 0) return { reply: validationError(errors, 'The failure rule is invalid.') };
	return {
		remaining: count as number,
		status: status as 429 | 500 | 502 | 503,
		retryAfterSeconds: retryAfterSeconds as number,
		drop: body.drop === true,
		delayMs: delayMs as number,
		after: body.after === true,
		path,
		pathText: path ? (body.path as string) : null,
		method: typeof method === 'string' ? method.toUpperCase() : null,
	};
}

function describeRule(rule: FailRule): object {
	return {
		remaining: rule.remaining,
		status: rule.drop || rule.delayMs > 0 ? null : rule.status,
		...(rule.status === 429 ? { retryAfterSeconds: rule.retryAfterSeconds } : {}),
		drop: rule.drop,
		after: rule.after,
		...(rule.delayMs > 0 ? { delayMs: rule.delayMs } : {}),
		path: rule.pathText,
		method: rule.method,
	};
}

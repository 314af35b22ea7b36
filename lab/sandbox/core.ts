/**
 * One sandbox's state: its configuration, tokens, limiter, jobs, simulated Guardians, callback
 * deliverer, request log and injected failures. The routers read and change it; nothing else does.
 */
import { TokenStore, SHORT_TOKEN_LIFETIMES, type TokenLifetimes } from './auth';
import { Deliverer } from './deliverer';
import { Dispatcher } from './dispatcher';
import { callbackPayload, eventFor } from './events';
import { findGuardian } from './guardians';
import { globMatches } from './glob';
import { resolveOptions, type ApiFault, type SandboxConfigPatch, type SandboxOptions, type SandboxPartner, type SandboxStartOptions } from './options';
import { seededRandom } from './random';
import { RateLimiter } from './rateLimit';
import { JobStore } from './store';

export interface RequestRecord {
	method: string;
	path: string;
	status: number | null;
	partnerKey: string | null;
	time: string;
	/** set when the answer was injected: 'status' (429/5xx), 'drop' (connection closed), 'slow' (held back) or a fault */
	injected?: 'status' | 'drop' | 'slow' | ApiFault;
	/** a `huge` answer: the bytes of its body handed to the connection before it ended */
	bytesWritten?: number;
	/** a `huge` answer: whether all of it was sent (false: the client closed the connection first) */
	complete?: boolean;
}

export interface FailRule {
	remaining: number;
	/** 429 is the vendor's rate-limit answer (with Retry-After: retryAfterSeconds) */
	status: 429 | 500 | 502 | 503;
	retryAfterSeconds: number;
	drop: boolean;
	/** answer as a proxy or broken server would (see API_FAULTS in ./options.ts) */
	fault: ApiFault | null;
	/** hold the (normal) answer back this long: a slow server, not a failure; 0 = off */
	delayMs: number;
	/** a glob the whole request path must match (lab/sandbox/glob.ts); null = any path */
	path: string | null;
	method: string | null;
	/** fail after the request was processed (the answer is lost, the effect is not) */
	after: boolean;
}

export type Injection = {
	status: number;
	drop: boolean;
	after: boolean;
	retryAfterSeconds?: number;
	delayMs?: number;
	fault?: ApiFault;
} | null;

const MAX_REQUEST_RECORDS = 10_000;

export class SandboxCore {
	config: SandboxOptions;
	readonly tokens = new TokenStore();
	readonly limiter = new RateLimiter();
	readonly jobs = new JobStore();
	readonly dispatcher: Dispatcher;
	readonly deliverer: Deliverer;
	readonly requests: RequestRecord[] = [];
	failRules: FailRule[] = [];
	random: () => number;
	origin = '';

	constructor(private readonly initial: SandboxStartOptions) {
		this.config = resolveOptions(initial);
		this.random = seededRandom(this.config.chaos.seed);
		this.dispatcher = new Dispatcher(this.jobs, () => this.config, () => this.random());
		this.deliverer = new Deliverer({
			config: () => this.config,
			target: (partnerKey) => this.callbackTarget(partnerKey),
			random: () => this.random(),
		});
		this.jobs.onTransition(({ job, from, to }) => {
			const eventType = eventFor(from, to, this.config.variants);
			if (eventType) {
				// withdrawal and cancel have released the Guardian already, so they carry no phone
				const phone = job.guardianId !== null ? (findGuardian(job.guardianId)?.phone ?? null) : null;
				const payload = callbackPayload(
					{ jobId: job.jobId, status: job.status, name: job.job.name, guardianPhone: phone },
					eventType,
					this.config.variants,
				);
				this.deliverer.enqueue(job.jobId, job.partnerKey, eventType, payload);
			}
			this.dispatcher.plan(job);
		});
	}

	partner(partnerKey: string): SandboxPartner | undefined {
		return this.config.partners.find((p) => p.partnerKey === partnerKey);
	}

	tokenLifetimes(): TokenLifetimes {
		if (this.config.chaos.shortTokenLifetimes) return SHORT_TOKEN_LIFETIMES;
		return { accessTokenTtlMs: this.config.accessTokenTtlMs, refreshTokenTtlMs: this.config.refreshTokenTtlMs };
	}

	callbackTarget(partnerKey: string): { url: string | null; secret: string } {
		const partner = this.partner(partnerKey);
		return {
			url: partner?.callbackUrl ?? this.config.callbackUrl,
			secret: partner?.callbackSecret ?? this.config.callbackSecret,
		};
	}

	/** Applies a checked run-time patch (see checkConfigPatch). */
	configure(patch: SandboxConfigPatch): void {
		const { chaos, variants, dispatch, ...rest } = patch;
		const before = this.config;
		this.config = {
			...before,
			...rest,
			chaos: { ...before.chaos, ...chaos },
			variants: { ...before.variants, ...variants },
			dispatch: { ...before.dispatch, ...dispatch },
		};
		if (chaos?.seed !== undefined) this.random = seededRandom(chaos.seed);
		// a new limit starts a fresh count: a benchmark or test sets up under one limit, measures under another
		if (patch.rateLimitPerMinute !== undefined || patch.rateLimitWindowMs !== undefined) this.limiter.clear();
		if (patch.autoDispatch !== undefined && patch.autoDispatch !== before.autoDispatch) this.dispatcher.replanAll();
	}

	/** Back to the start-up options with no jobs, tokens, deliveries, requests or injected failures. */
	reset(): void {
		this.dispatcher.stop();
		this.deliverer.reset();
		this.jobs.clear();
		this.tokens.clear();
		this.limiter.clear();
		this.requests.length = 0;
		this.failRules = [];
		const log = this.config.log;
		this.config = resolveOptions(this.initial);
		this.config.log = log;
		this.random = seededRandom(this.config.chaos.seed);
	}

	recordRequest(record: RequestRecord): void {
		this.requests.push(record);
		if (this.requests.length > MAX_REQUEST_RECORDS) this.requests.splice(0, this.requests.length - MAX_REQUEST_RECORDS);
	}

	/** Decides whether this API request fails on purpose: fail-next rules first, then chaos rates. */
	takeInjection(method: string, path: string): Injection {
		const rule = this.failRules.find((r) => (r.path === null || globMatches(r.path, path)) && (!r.method || r.method === method));
		if (rule) {
			rule.remaining--;
			if (rule.remaining <= 0) this.failRules = this.failRules.filter((r) => r !== rule);
			return {
				status: rule.status,
				drop: rule.drop,
				after: rule.after,
				retryAfterSeconds: rule.retryAfterSeconds,
				delayMs: rule.delayMs,
				...(rule.fault ? { fault: rule.fault } : {}),
			};
		}
		const chaos = this.config.chaos;
		const { failureRate, dropConnectionRate } = chaos;
		if (chaos.hangLogin && method === 'POST' && path.endsWith('/access/login')) return { status: 0, drop: false, after: false, fault: 'hang' };
		if (dropConnectionRate > 0 && this.random() < dropConnectionRate) return { status: 0, drop: true, after: false };
		for (const [rate, fault] of [
			[chaos.htmlAnswerRate, 'html'],
			[chaos.trickleAnswerRate, 'trickle'],
			[chaos.oversizedAnswerRate, 'oversized'],
		] as const) {
			if (rate > 0 && this.random() < rate) return { status: 200, drop: false, after: false, fault };
		}
		if (failureRate > 0 && this.random() < failureRate) {
			const statuses = [500, 502, 503];
			return { status: statuses[Math.floor(this.random() * statuses.length)], drop: false, after: false };
		}
		return null;
	}

	async close(): Promise<void> {
		this.dispatcher.stop();
		await this.deliverer.close();
	}
}

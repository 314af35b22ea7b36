/**
 * Everything a sandbox can be told at start-up or at run time (POST /_control/config): the types,
 * the defaults that make `startSandbox()` behave like G2 Sentry's demo environment, and each
 * option's rule (./schema.ts), which the start-up check, the control API and the CLI all apply.
 */
import {
	ACCESS_TOKEN_TTL_MS,
	CALLBACK_EVENTS,
	RATE_LIMIT,
	REFRESH_TOKEN_TTL_MS,
	type CallbackEvent,
	type FieldError,
} from '../../nodes/shared/contract';
import {
	boolean,
	checkObject,
	checkValue,
	isPlainObject,
	number,
	probability,
	text,
	wholeNumber,
	type Rule,
} from './schema';

export interface SandboxPartner {
	partnerKey: string;
	partnerSecret: string;
	/** display name returned by login */
	name?: string;
	/** a rotated-out secret that still works during the portal's grace window */
	previousPartnerSecret?: string;
	/** overrides the sandbox-wide callback URL / secret for this partner's jobs */
	callbackUrl?: string;
	callbackSecret?: string;
}

/**
 * Answers a proxy, a captive portal or a broken server gives in place of the API's (./server.ts):
 * `html` a 200 sign-in page, `empty` a 200 without a body, `trickle` the real answer one byte at
 * a time (chaos.trickleIntervalMs apart), `oversized` the real answer padded past
 * chaos.oversizedAnswerBytes, `hang` no answer at all (the connection stays open), `huge` the real
 * answer padded to chaos.hugeAnswerBytes and streamed without a Content-Length as fast as the
 * client reads (the request record says how many bytes went out before the connection ended).
 */
export const API_FAULTS = ['html', 'empty', 'trickle', 'oversized', 'hang', 'huge'] as const;
export type ApiFault = (typeof API_FAULTS)[number];

export interface ChaosOptions {
	/** probability (0..1, or true = 1) that a delivered callback is sent a second time */
	duplicateDeliveries: boolean | number;
	/** hold new callbacks for shuffleWindowMs, then send them in a different order */
	shuffleDeliveries: boolean;
	/** real milliseconds a shuffled batch is held */
	shuffleWindowMs: number;
	/** probability that an API request is answered 500/502/503 without being processed */
	failureRate: number;
	/** probability that an API request's connection is dropped without an answer */
	dropConnectionRate: number;
	/** probability that an API request is answered 200 text/html (a captive portal) without being processed */
	htmlAnswerRate: number;
	/** probability that an API answer is sent one byte every trickleIntervalMs (processed normally) */
	trickleAnswerRate: number;
	/** probability that an API answer is padded to more than oversizedAnswerBytes (processed normally) */
	oversizedAnswerRate: number;
	/** POST /access/login never answers (the connection stays open until the client gives up) */
	hangLogin: boolean;
	/** real milliseconds between the bytes of a trickled answer */
	trickleIntervalMs: number;
	/** how large an oversized answer is at least (bytes) */
	oversizedAnswerBytes: number;
	/** how long a `huge` answer's padding goes on (bytes; 64 MiB: far more than any client should read) */
	hugeAnswerBytes: number;
	/** access tokens live 5 s and refresh tokens 30 s (overrides the configured lifetimes) */
	shortTokenLifetimes: boolean;
	/** probability that a simulated Guardian withdraws after accepting (only before the cut-off) */
	withdrawRate: number;
	/** callback bodies are pretty-printed: byte-exact signature checks catch re-serialisers */
	prettyCallbackBodies: boolean;
	/** seed of the random generator behind every chaos decision (same seed, same choices) */
	seed: number;
}

/** Where the vendor's sources disagree, pick the reading to simulate (see partner-api.md). */
export interface VariantOptions {
	/** POST /jobs answers { jobId, status: "New" } (overview diagram) instead of { jobId } */
	createResponseIncludesStatus: boolean;
	/** a partner cancel fires JobWithdrawed with jobStatus "Canceled" (one callback page) */
	cancelFiresWithdrawed: boolean;
	/** events that carry guardianPhone */
	guardianPhoneEvents: CallbackEvent[];
}

/** Simulated milliseconds (divided by timeScale) between the dispatcher's steps. */
export interface DispatchTimings {
	acceptAfterMs: number;
	startAfterMs: number;
	completeAfterMs: number;
	withdrawAfterMs: number;
}

export interface SandboxOptions {
	port: number;
	host: string;
	partners: SandboxPartner[];
	callbackUrl: string | null;
	callbackSecret: string;
	accessTokenTtlMs: number;
	refreshTokenTtlMs: number;
	rateLimitPerMinute: number;
	/** the rate limiter's window; 60 000 like the vendor, shorter only for tests */
	rateLimitWindowMs: number;
	/** 10 = the dispatcher and the callback retry schedule run ten times faster */
	timeScale: number;
	autoDispatch: boolean;
	dispatch: DispatchTimings;
	/** plain-HTTP callback URLs are refused by the real portal; allowed here by default */
	allowHttpCallbacks: boolean;
	/** largest request body accepted (bytes); larger gets 413 */
	maxBodyBytes: number;
	/** real ms a callback POST may take before it counts as a network failure */
	deliveryTimeoutMs: number;
	/** real ms a client may take to send a request body before it is answered 408 */
	bodyTimeoutMs: number;
	chaos: ChaosOptions;
	variants: VariantOptions;
	/** print one line per API request and callback attempt (CLI) */
	log: ((line: string) => void) | null;
}

export const DEFAULT_PARTNER: Readonly<Required<Pick<SandboxPartner, 'partnerKey' | 'partnerSecret' | 'name'>>> = {
	partnerKey: 'TEST_PARTNER',
	partnerSecret: 'sandbox-partner-secret',
	name: 'Test Partner Company',
};
export const DEFAULT_OTHER_PARTNER: Readonly<Required<Pick<SandboxPartner, 'partnerKey' | 'partnerSecret' | 'name'>>> = {
	partnerKey: 'OTHER_PARTNER',
	partnerSecret: 'sandbox-other-partner-secret',
	name: 'Other Partner Inc',
};
export const DEFAULT_CALLBACK_SECRET = 'sandbox-callback-secret';

export function defaultOptions(): SandboxOptions {
	return {
		port: 0,
		host: '127.0.0.1',
		partners: [{ ...DEFAULT_PARTNER }, { ...DEFAULT_OTHER_PARTNER }],
		callbackUrl: null,
		callbackSecret: DEFAULT_CALLBACK_SECRET,
		accessTokenTtlMs: ACCESS_TOKEN_TTL_MS,
		refreshTokenTtlMs: REFRESH_TOKEN_TTL_MS,
		rateLimitPerMinute: RATE_LIMIT.requests,
		rateLimitWindowMs: RATE_LIMIT.windowMs,
		timeScale: 1,
		autoDispatch: true,
		dispatch: { acceptAfterMs: 30_000, startAfterMs: 60_000, completeAfterMs: 120_000, withdrawAfterMs: 20_000 },
		allowHttpCallbacks: true,
		maxBodyBytes: 1024 * 1024,
		deliveryTimeoutMs: 10_000,
		bodyTimeoutMs: 10_000,
		chaos: {
			duplicateDeliveries: false,
			shuffleDeliveries: false,
			shuffleWindowMs: 300,
			failureRate: 0,
			dropConnectionRate: 0,
			htmlAnswerRate: 0,
			trickleAnswerRate: 0,
			oversizedAnswerRate: 0,
			hangLogin: false,
			trickleIntervalMs: 1_000,
			oversizedAnswerBytes: 1024 * 1024,
			hugeAnswerBytes: 64 * 1024 * 1024,
			shortTokenLifetimes: false,
			withdrawRate: 0,
			prettyCallbackBodies: false,
			seed: 1,
		},
		variants: {
			createResponseIncludesStatus: false,
			cancelFiresWithdrawed: false,
			guardianPhoneEvents: ['JobAssigned', 'JobStarted'],
		},
		log: null,
	};
}

export type SandboxConfigPatch = Partial<Omit<SandboxOptions, 'chaos' | 'variants' | 'dispatch' | 'port' | 'host' | 'partners' | 'log'>> & {
	chaos?: Partial<ChaosOptions>;
	variants?: Partial<VariantOptions>;
	dispatch?: Partial<DispatchTimings>;
};

/** What startSandbox() takes: any subset, nested groups (chaos, variants, dispatch) partial too. */
export type SandboxStartOptions = Partial<Omit<SandboxOptions, 'chaos' | 'variants' | 'dispatch'>> & {
	chaos?: Partial<ChaosOptions>;
	variants?: Partial<VariantOptions>;
	dispatch?: Partial<DispatchTimings>;
};

/** The options given at start-up: partners completed so there are always two. */
export function resolveOptions(given: SandboxStartOptions = {}): SandboxOptions {
	const base = defaultOptions();
	const partners = (given.partners ?? base.partners).map((p) => ({ ...p }));
	for (const fallback of [DEFAULT_PARTNER, DEFAULT_OTHER_PARTNER]) {
		if (partners.length >= 2) break;
		if (!partners.some((p) => p.partnerKey === fallback.partnerKey)) partners.push({ ...fallback });
	}
	const { chaos, variants, dispatch, ...rest } = given;
	const merged: SandboxOptions = { ...base, ...stripUndefined(rest), partners };
	merged.chaos = { ...base.chaos, ...stripUndefined(chaos ?? {}) };
	merged.variants = { ...base.variants, ...stripUndefined(variants ?? {}) };
	merged.dispatch = { ...base.dispatch, ...stripUndefined(dispatch ?? {}) };
	return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Every option given at start-up only; the rest can also be patched at run time. */
export const START_OPTIONS = {
	port: wholeNumber(0, 65535),
	host: text,
} satisfies Partial<Record<keyof SandboxOptions, Rule>>;

const CHAOS_OPTIONS: { readonly [K in keyof ChaosOptions]: Rule } = {
	duplicateDeliveries: { kind: 'either', rules: [boolean, probability] },
	shuffleDeliveries: boolean,
	shuffleWindowMs: number(0),
	failureRate: probability,
	dropConnectionRate: probability,
	htmlAnswerRate: probability,
	trickleAnswerRate: probability,
	oversizedAnswerRate: probability,
	hangLogin: boolean,
	trickleIntervalMs: wholeNumber(1, 60_000),
	oversizedAnswerBytes: wholeNumber(1, 64 * 1024 * 1024),
	hugeAnswerBytes: wholeNumber(1, 1024 * 1024 * 1024),
	shortTokenLifetimes: boolean,
	withdrawRate: probability,
	prettyCallbackBodies: boolean,
	seed: number(0),
};

const VARIANT_OPTIONS: { readonly [K in keyof VariantOptions]: Rule } = {
	createResponseIncludesStatus: boolean,
	cancelFiresWithdrawed: boolean,
	guardianPhoneEvents: { kind: 'listOf', values: CALLBACK_EVENTS },
};

const DISPATCH_OPTIONS: { readonly [K in keyof DispatchTimings]: Rule } = {
	acceptAfterMs: number(0),
	startAfterMs: number(0),
	completeAfterMs: number(0),
	withdrawAfterMs: number(0),
};

/** Every option POST /_control/config accepts, typed so that none can be missing or misspelt. */
export const RUN_TIME_OPTIONS: { readonly [K in keyof SandboxConfigPatch]-?: Rule } = {
	callbackUrl: { kind: 'callbackUrl' },
	callbackSecret: text,
	accessTokenTtlMs: number(1),
	refreshTokenTtlMs: number(1),
	rateLimitPerMinute: number(1),
	rateLimitWindowMs: number(1),
	timeScale: number(0.001, 1_000_000),
	autoDispatch: boolean,
	allowHttpCallbacks: boolean,
	maxBodyBytes: number(1),
	deliveryTimeoutMs: number(1),
	bodyTimeoutMs: number(1),
	chaos: { kind: 'group', name: 'chaos', fields: CHAOS_OPTIONS },
	variants: { kind: 'group', name: 'variants', fields: VARIANT_OPTIONS },
	dispatch: { kind: 'group', name: 'dispatch', fields: DISPATCH_OPTIONS },
};

const PARTNER_FIELDS: { readonly [K in keyof SandboxPartner]-?: Rule } = {
	partnerKey: text,
	partnerSecret: text,
	name: text,
	previousPartnerSecret: text,
	// a partner's own URL is given by whoever starts the sandbox: plain HTTP is fine here
	callbackUrl: { kind: 'callbackUrl' },
	callbackSecret: text,
};

/**
 * Checks a run-time patch (from the control API, so untrusted JSON) and returns the problems as
 * field errors; an empty list means it can be applied. A patch that switches plain-HTTP callbacks
 * on or off is judged by its own setting.
 */
export function checkConfigPatch(patch: unknown, allowHttpCallbacks: boolean): FieldError[] {
	const given = isPlainObject(patch) ? patch.allowHttpCallbacks : undefined;
	const context = { allowHttpCallbacks: typeof given === 'boolean' ? given : allowHttpCallbacks };
	return checkObject(RUN_TIME_OPTIONS, patch, context, { unknown: () => 'is not a run-time option' });
}

/** Checks the start-up options: those only start-up sets, the run-time ones, and the partners. */
export function checkStartOptions(options: SandboxOptions): FieldError[] {
	const { port, host, partners, log: _log, ...runTime } = options;
	const context = { allowHttpCallbacks: true };
	return [
		...checkValue(START_OPTIONS.port, port, 'port', context),
		...checkValue(START_OPTIONS.host, host, 'host', context),
		...checkConfigPatch(runTime, options.allowHttpCallbacks),
		...checkPartners(partners),
	];
}

function checkPartners(partners: SandboxPartner[]): FieldError[] {
	const context = { allowHttpCallbacks: true };
	return partners.flatMap((partner, i) => {
		const errors = checkObject(PARTNER_FIELDS, partner, context, {
			prefix: `partners[${i}].`,
			notAnObject: `partners[${i}]`,
			unknown: (known) => `is not a partner field (known: ${known.join(', ')})`,
			required: ['partnerKey', 'partnerSecret'],
		});
		if (partners.findIndex((other) => other.partnerKey === partner.partnerKey) !== i) {
			errors.push({ fieldName: `partners[${i}].partnerKey`, message: 'is used twice' });
		}
		return errors;
	});
}

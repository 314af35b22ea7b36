/**
 * Everything a sandbox can be told at start-up or at run time (POST /_control/config), with the
 * defaults that make `startSandbox()` behave like G2 Sentry's demo environment.
 */
import {
	ACCESS_TOKEN_TTL_MS,
	CALLBACK_EVENTS,
	RATE_LIMIT,
	REFRESH_TOKEN_TTL_MS,
	type CallbackEvent,
} from '../nodes/shared/contract';

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

/** Known keys taken from the defaults, so the lists cannot drift from the types. */
const DEFAULTS = defaultOptions();
/** What only start-up can set (the keys SandboxConfigPatch leaves out). */
const START_ONLY_KEYS: readonly string[] = ['port', 'host', 'partners', 'log'];
const RUN_TIME_KEYS: readonly string[] = Object.keys(DEFAULTS).filter((key) => !START_ONLY_KEYS.includes(key));
const GROUP_KEYS = {
	chaos: Object.keys(DEFAULTS.chaos),
	variants: Object.keys(DEFAULTS.variants),
	dispatch: Object.keys(DEFAULTS.dispatch),
};

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

/**
 * Checks a run-time patch (from the control API, so untrusted JSON) and returns the problems as
 * field errors; an empty list means it can be applied.
 */
export function checkConfigPatch(patch: unknown, allowHttpCallbacks: boolean): { fieldName: string; message: string }[] {
	const errors: { fieldName: string; message: string }[] = [];
	if (!isPlainObject(patch)) return [{ fieldName: 'body', message: 'must be a JSON object' }];
	const p = patch as Record<string, unknown>;
	const num = (key: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER) => {
		if (value === undefined) return;
		if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
			errors.push({ fieldName: key, message: `must be a number between ${min} and ${max}` });
		}
	};
	const bool = (key: string, value: unknown) => {
		if (value !== undefined && typeof value !== 'boolean') errors.push({ fieldName: key, message: 'must be true or false' });
	};
	for (const key of Object.keys(p)) if (!RUN_TIME_KEYS.includes(key)) errors.push({ fieldName: key, message: 'is not a run-time option' });
	if (p.callbackUrl !== undefined && p.callbackUrl !== null) {
		const httpAllowed = typeof p.allowHttpCallbacks === 'boolean' ? p.allowHttpCallbacks : allowHttpCallbacks;
		const problem = checkCallbackUrl(p.callbackUrl, httpAllowed);
		if (problem) errors.push({ fieldName: 'callbackUrl', message: problem });
	}
	if (p.callbackSecret !== undefined && (typeof p.callbackSecret !== 'string' || p.callbackSecret.length === 0)) {
		errors.push({ fieldName: 'callbackSecret', message: 'must be a non-empty string' });
	}
	num('accessTokenTtlMs', p.accessTokenTtlMs, 1);
	num('refreshTokenTtlMs', p.refreshTokenTtlMs, 1);
	num('rateLimitPerMinute', p.rateLimitPerMinute, 1);
	num('rateLimitWindowMs', p.rateLimitWindowMs, 1);
	num('timeScale', p.timeScale, 0.001, 1_000_000);
	num('maxBodyBytes', p.maxBodyBytes, 1);
	num('deliveryTimeoutMs', p.deliveryTimeoutMs, 1);
	num('bodyTimeoutMs', p.bodyTimeoutMs, 1);
	bool('autoDispatch', p.autoDispatch);
	bool('allowHttpCallbacks', p.allowHttpCallbacks);
	checkNested(p.chaos, 'chaos', errors, (c) => {
		const rate = (k: string) => num(`chaos.${k}`, c[k], 0, 1);
		if (c.duplicateDeliveries !== undefined && typeof c.duplicateDeliveries !== 'boolean') rate('duplicateDeliveries');
		rate('failureRate');
		rate('dropConnectionRate');
		rate('withdrawRate');
		num('chaos.shuffleWindowMs', c.shuffleWindowMs, 0);
		num('chaos.seed', c.seed, 0);
		bool('chaos.shuffleDeliveries', c.shuffleDeliveries);
		bool('chaos.shortTokenLifetimes', c.shortTokenLifetimes);
		bool('chaos.prettyCallbackBodies', c.prettyCallbackBodies);
	});
	checkNested(p.variants, 'variants', errors, (v) => {
		bool('variants.createResponseIncludesStatus', v.createResponseIncludesStatus);
		bool('variants.cancelFiresWithdrawed', v.cancelFiresWithdrawed);
		const events = v.guardianPhoneEvents;
		if (events !== undefined && (!Array.isArray(events) || !events.every((e) => (CALLBACK_EVENTS as readonly unknown[]).includes(e)))) {
			errors.push({ fieldName: 'variants.guardianPhoneEvents', message: `must be a list of ${CALLBACK_EVENTS.join(', ')}` });
		}
	});
	checkNested(p.dispatch, 'dispatch', errors, (d) => {
		for (const k of ['acceptAfterMs', 'startAfterMs', 'completeAfterMs', 'withdrawAfterMs']) num(`dispatch.${k}`, d[k], 0);
	});
	return errors;
}

export function checkPartners(partners: SandboxPartner[]): { fieldName: string; message: string }[] {
	const errors: { fieldName: string; message: string }[] = [];
	partners.forEach((p, i) => {
		for (const key of ['partnerKey', 'partnerSecret'] as const) {
			if (typeof p[key] !== 'string' || p[key].length === 0) errors.push({ fieldName: `partners[${i}].${key}`, message: 'must be a non-empty string' });
		}
		if (partners.findIndex((q) => q.partnerKey === p.partnerKey) !== i) errors.push({ fieldName: `partners[${i}].partnerKey`, message: 'is used twice' });
		if (p.callbackUrl !== undefined) {
			const problem = checkCallbackUrl(p.callbackUrl, true);
			if (problem) errors.push({ fieldName: `partners[${i}].callbackUrl`, message: problem });
		}
	});
	return errors;
}

/** A group (chaos, variants, dispatch): an object of known keys only, so a typo is named, not ignored. */
function checkNested(
	value: unknown,
	name: keyof typeof GROUP_KEYS,
	errors: { fieldName: string; message: string }[],
	check: (v: Record<string, unknown>) => void,
): void {
	if (value === undefined) return;
	if (!isPlainObject(value)) {
		errors.push({ fieldName: name, message: 'must be a JSON object' });
		return;
	}
	const known: readonly string[] = GROUP_KEYS[name];
	for (const key of Object.keys(value)) {
		if (!known.includes(key)) errors.push({ fieldName: `${name}.${key}`, message: `is not a ${name} option (known: ${known.join(', ')})` });
	}
	check(value);
}

export function checkCallbackUrl(value: unknown, allowHttp: boolean): string | null {
	if (typeof value !== 'string') return 'must be a URL string or null';
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return 'is not a valid URL';
	}
	if (url.protocol === 'https:') return null;
	if (url.protocol === 'http:') return allowHttp ? null : 'must use HTTPS (plain-HTTP callback URLs are refused)';
	return 'must be an http(s) URL';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

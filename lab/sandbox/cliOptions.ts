/**
 * `npm run sandbox` options: each flag has an environment variable (flag wins). Kept apart from
 * cli.ts so the parsing can be tested without starting a process.
 */
import { parseArgs } from 'node:util';
import {
	DEFAULT_OTHER_PARTNER,
	DEFAULT_PARTNER,
	defaultOptions,
	RUN_TIME_OPTIONS,
	START_OPTIONS,
	type ChaosOptions,
	type SandboxStartOptions,
} from './options';
import { checkValue, requirement, type Rule } from './schema';

export const CLI_DEFAULTS = { port: 4010, host: '127.0.0.1', timeScale: 10 };

const DEFAULTS = defaultOptions();

/** How a flag's text becomes a value; the option's rule in the schema then checks it. */
type Reader = 'number' | 'duration' | 'switch' | 'text';

/** Options a flag sets directly, with the schema rule that checks them. */
const RULES = { ...START_OPTIONS, ...RUN_TIME_OPTIONS };
type FlagOption = keyof typeof RULES;

/** --chaos knobs: the chaos option each sets, and its value when given without "=". */
const CHAOS_KNOBS: Record<string, { option: keyof ChaosOptions; bare?: number | boolean }> = {
	duplicates: { option: 'duplicateDeliveries', bare: 1 },
	shuffle: { option: 'shuffleDeliveries', bare: true },
	failures: { option: 'failureRate', bare: 0.1 },
	drops: { option: 'dropConnectionRate', bare: 0.05 },
	'short-tokens': { option: 'shortTokenLifetimes', bare: true },
	withdraw: { option: 'withdrawRate', bare: 0.3 },
	pretty: { option: 'prettyCallbackBodies', bare: true },
	seed: { option: 'seed' },
};

function chaosHelp(): string {
	return Object.entries(CHAOS_KNOBS)
		.map(([knob, { bare }]) => (bare === undefined ? `${knob}=n` : bare === true ? knob : `${knob}[=p]`))
		.join(', ');
}

/** [flag, env var, value name, description, option it sets, how its text is read] — also the --help text. */
export const CLI_FLAGS = [
	['port', 'G2S_SANDBOX_PORT', 'n', `port to listen on (default ${CLI_DEFAULTS.port}; 0 = any free port)`, 'port', 'number'],
	['host', 'G2S_SANDBOX_HOST', 'addr', `interface to bind (default ${CLI_DEFAULTS.host}; anything else exposes the unauthenticated control API and prints a warning)`, 'host', 'text'],
	['partner-key', 'G2S_SANDBOX_PARTNER_KEY', 'key', `default partner's key (default ${DEFAULT_PARTNER.partnerKey})`, null, 'text'],
	['partner-secret', 'G2S_SANDBOX_PARTNER_SECRET', 'secret', `default partner's secret (default ${DEFAULT_PARTNER.partnerSecret})`, null, 'text'],
	['partner-name', 'G2S_SANDBOX_PARTNER_NAME', 'name', `default partner's display name (default ${DEFAULT_PARTNER.name})`, null, 'text'],
	['callback-url', 'G2S_SANDBOX_CALLBACK_URL', 'url', 'where job callbacks are POSTed (default: none, set later with POST /_control/config)', 'callbackUrl', 'text'],
	['callback-secret', 'G2S_SANDBOX_CALLBACK_SECRET', 'secret', `HMAC key of the X-Signature header (default ${DEFAULTS.callbackSecret})`, 'callbackSecret', 'text'],
	['access-token-ttl', 'G2S_SANDBOX_ACCESS_TOKEN_TTL', 'dur', 'access token lifetime, e.g. 15m, 30s, 500ms (default 15m)', 'accessTokenTtlMs', 'duration'],
	['refresh-token-ttl', 'G2S_SANDBOX_REFRESH_TOKEN_TTL', 'dur', 'refresh token lifetime (default 7d)', 'refreshTokenTtlMs', 'duration'],
	['rate-limit', 'G2S_SANDBOX_RATE_LIMIT', 'n', `requests per minute per partner key (default ${DEFAULTS.rateLimitPerMinute})`, 'rateLimitPerMinute', 'number'],
	['time-scale', 'G2S_SANDBOX_TIME_SCALE', 'x', `speed-up of Guardians and callback retries (default ${CLI_DEFAULTS.timeScale})`, 'timeScale', 'number'],
	['auto-dispatch', 'G2S_SANDBOX_AUTO_DISPATCH', 'on|off', 'simulated Guardians accept, start and complete jobs (default on)', 'autoDispatch', 'switch'],
	['chaos', 'G2S_SANDBOX_CHAOS', 'list', `comma list: ${chaosHelp()}`, null, 'text'],
] as const satisfies ReadonlyArray<readonly [string, string, string, string, FlagOption | null, Reader]>;

export class CliError extends Error {}

/** "15m" / "30s" / "7d" / "250ms" / "1500" (ms) → milliseconds. */
export function parseDuration(text: string, what: string): number {
	const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
	if (!match) throw new CliError(`${what}: "${text}" is not a duration like 15m, 30s or 500ms`);
	const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms') as 'ms'];
	const ms = Number(match[1]) * unit;
	if (ms <= 0) throw new CliError(`${what} must be longer than zero`);
	return ms;
}

function parseSwitch(text: string, what: string): boolean {
	if (/^(1|true|on|yes)$/i.test(text)) return true;
	if (/^(0|false|off|no)$/i.test(text)) return false;
	throw new CliError(`${what}: "${text}" must be on or off`);
}

/** A flag's text as the value of its option, checked by the option's rule. */
function readValue(text: string, reader: Reader, rule: Rule, what: string): unknown {
	const value =
		reader === 'number' ? (text.trim() === '' ? NaN : Number(text))
		: reader === 'duration' ? parseDuration(text, what)
		: reader === 'switch' ? parseSwitch(text, what)
		: text;
	const problems = checkValue(rule, value, what, { allowHttpCallbacks: true });
	if (problems.length > 0) throw new CliError(`${what}: "${text}" ${problems[0].message}`);
	return value;
}

export function parseChaos(text: string): Partial<ChaosOptions> {
	const rules = (RUN_TIME_OPTIONS.chaos as Extract<Rule, { kind: 'group' }>).fields;
	const chaos: Record<string, unknown> = {};
	for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
		const [name, given] = item.split('=');
		const knob = Object.hasOwn(CHAOS_KNOBS, name) ? CHAOS_KNOBS[name] : undefined;
		if (!knob) throw new CliError(`--chaos: unknown knob "${name}" (known: ${Object.keys(CHAOS_KNOBS).join(', ')})`);
		const rule = rules[knob.option];
		const what = `--chaos ${name} (chaos.${knob.option})`;
		if (given === undefined && knob.bare === undefined) throw new CliError(`${what} needs a value: ${name}=n, n ${requirement(rule).replace(/^must be /, '')}`);
		chaos[knob.option] =
			given === undefined ? knob.bare : readValue(given, typeof knob.bare === 'boolean' ? 'switch' : 'number', rule, what);
	}
	return chaos as Partial<ChaosOptions>;
}

export interface CliSettings {
	options: SandboxStartOptions;
	help: boolean;
	quiet: boolean;
	/** which secrets the user supplied (those are never printed) */
	customSecrets: { partner: boolean; callback: boolean };
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliSettings {
	const { values } = parseArgs({
		args: argv,
		options: {
			...Object.fromEntries(CLI_FLAGS.map(([flag]) => [flag, { type: 'string' as const }])),
			'no-auto-dispatch': { type: 'boolean' },
			quiet: { type: 'boolean' },
			help: { type: 'boolean', short: 'h' },
		},
		strict: true,
	}) as { values: Record<string, string | boolean | undefined> };
	const get = (flag: string): string | undefined => {
		const entry = CLI_FLAGS.find(([f]) => f === flag)!;
		const v = values[flag];
		// an empty value ("--callback-url ''" from an unset shell variable) is named, not ignored
		if (v === '') throw new CliError(`--${flag} was given an empty value`);
		if (typeof v === 'string') return v;
		return env[entry[1]] || undefined;
	};
	const options: Record<string, unknown> = { port: CLI_DEFAULTS.port, host: CLI_DEFAULTS.host, timeScale: CLI_DEFAULTS.timeScale };
	for (const [flag, , , , option, reader] of CLI_FLAGS) {
		const text = get(flag);
		if (option && text !== undefined) options[option] = readValue(text, reader, RULES[option], flag);
	}
	const partnerSecret = get('partner-secret');
	options.partners = [
		{
			partnerKey: get('partner-key') ?? DEFAULT_PARTNER.partnerKey,
			partnerSecret: partnerSecret ?? DEFAULT_PARTNER.partnerSecret,
			name: get('partner-name') ?? DEFAULT_PARTNER.name,
		},
		{ ...DEFAULT_OTHER_PARTNER },
	];
	if (values['no-auto-dispatch'] === true) options.autoDispatch = false;
	const chaos = get('chaos');
	if (chaos) options.chaos = parseChaos(chaos);
	const quietEnv = env.G2S_SANDBOX_QUIET;
	return {
		options: options as SandboxStartOptions,
		help: values.help === true,
		quiet: values.quiet === true || (quietEnv !== undefined && quietEnv !== '' && parseSwitch(quietEnv, 'G2S_SANDBOX_QUIET')),
		customSecrets: { partner: partnerSecret !== undefined, callback: get('callback-secret') !== undefined },
	};
}

export function helpText(): string {
	const lines = CLI_FLAGS.map(([flag, env, value, text]) => `  --${`${flag} <${value}>`.padEnd(28)} ${text}\n  ${''.padEnd(30)} env ${env}`);
	return [
		'Usage: npm run sandbox -- [options]',
		'',
		'A local G2 Sentry Partner API (see lab/sandbox/README.md). Options:',
		...lines,
		`  --${'no-auto-dispatch'.padEnd(28)} same as --auto-dispatch off`,
		`  --${'quiet'.padEnd(28)} do not log each request and callback`,
		`  ${''.padEnd(30)} env G2S_SANDBOX_QUIET=1`,
		`  --${'help'.padEnd(28)} this text`,
	].join('\n');
}

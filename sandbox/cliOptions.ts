/**
 * `npm run sandbox` options: each flag has an environment variable (flag wins). Kept apart from
 * cli.ts so the parsing can be tested without starting a process.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_OTHER_PARTNER, DEFAULT_PARTNER, type ChaosOptions, type SandboxStartOptions } from './options';

export const CLI_DEFAULTS = { port: 4010, host: '127.0.0.1', timeScale: 10 };

/** [flag, env var, value name, description] — also the --help text. */
export const CLI_FLAGS = [
	['port', 'G2S_SANDBOX_PORT', 'n', `port to listen on (default ${CLI_DEFAULTS.port}; 0 = any free port)`],
	['host', 'G2S_SANDBOX_HOST', 'addr', `interface to bind (default ${CLI_DEFAULTS.host})`],
	['partner-key', 'G2S_SANDBOX_PARTNER_KEY', 'key', `default partner's key (default ${DEFAULT_PARTNER.partnerKey})`],
	['partner-secret', 'G2S_SANDBOX_PARTNER_SECRET', 'secret', `default partner's secret (default ${DEFAULT_PARTNER.partnerSecret})`],
	['partner-name', 'G2S_SANDBOX_PARTNER_NAME', 'name', `default partner's display name (default ${DEFAULT_PARTNER.name})`],
	['callback-url', 'G2S_SANDBOX_CALLBACK_URL', 'url', 'where job callbacks are POSTed (default: none, set later with POST /_control/config)'],
	['callback-secret', 'G2S_SANDBOX_CALLBACK_SECRET', 'secret', 'HMAC key of the X-Signature header (default sandbox-callback-secret)'],
	['access-token-ttl', 'G2S_SANDBOX_ACCESS_TOKEN_TTL', 'dur', 'access token lifetime, e.g. 15m, 30s, 500ms (default 15m)'],
	['refresh-token-ttl', 'G2S_SANDBOX_REFRESH_TOKEN_TTL', 'dur', 'refresh token lifetime (default 7d)'],
	['rate-limit', 'G2S_SANDBOX_RATE_LIMIT', 'n', 'requests per minute per partner key (default 60)'],
	['time-scale', 'G2S_SANDBOX_TIME_SCALE', 'x', `speed-up of Guardians and callback retries (default ${CLI_DEFAULTS.timeScale})`],
	['auto-dispatch', 'G2S_SANDBOX_AUTO_DISPATCH', 'on|off', 'simulated Guardians accept, start and complete jobs (default on)'],
	['chaos', 'G2S_SANDBOX_CHAOS', 'list', 'comma list: duplicates[=p], shuffle, failures=p, drops=p, short-tokens, withdraw=p, pretty, seed=n'],
] as const;

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

function parseNumber(text: string, what: string, min: number, max = Infinity): number {
	const n = Number(text);
	if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
		throw new CliError(`${what}: "${text}" must be a number ${max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`}`);
	}
	return n;
}

function parsePort(text: string): number {
	const port = parseNumber(text, 'port', 0, 65535);
	if (!Number.isInteger(port)) throw new CliError(`port: "${text}" must be a whole number from 0 to 65535`);
	return port;
}

function parseSwitch(text: string, what: string): boolean {
	if (/^(1|true|on|yes)$/i.test(text)) return true;
	if (/^(0|false|off|no)$/i.test(text)) return false;
	throw new CliError(`${what}: "${text}" must be on or off`);
}

export function parseChaos(text: string): Partial<ChaosOptions> {
	const chaos: Partial<ChaosOptions> = {};
	for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
		const [name, value] = item.split('=');
		const rate = () => (value === undefined ? 1 : parseNumber(value, `--chaos ${name} (a probability)`, 0, 1));
		switch (name) {
			case 'duplicates': chaos.duplicateDeliveries = rate(); break;
			case 'shuffle': chaos.shuffleDeliveries = true; break;
			case 'failures': chaos.failureRate = value === undefined ? 0.1 : rate(); break;
			case 'drops': chaos.dropConnectionRate = value === undefined ? 0.05 : rate(); break;
			case 'short-tokens': chaos.shortTokenLifetimes = true; break;
			case 'withdraw': chaos.withdrawRate = value === undefined ? 0.3 : rate(); break;
			case 'pretty': chaos.prettyCallbackBodies = true; break;
			case 'seed': chaos.seed = parseNumber(value ?? '', '--chaos seed', 0); break;
			default: throw new CliError(`--chaos: unknown knob "${name}"`);
		}
	}
	return chaos;
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
	const options: SandboxStartOptions = {
		port: parsePort(get('port') ?? String(CLI_DEFAULTS.port)),
		host: get('host') ?? CLI_DEFAULTS.host,
		timeScale: parseNumber(get('time-scale') ?? String(CLI_DEFAULTS.timeScale), 'time-scale', 0.001),
	};
	const partnerSecret = get('partner-secret');
	options.partners = [
		{
			partnerKey: get('partner-key') ?? DEFAULT_PARTNER.partnerKey,
			partnerSecret: partnerSecret ?? DEFAULT_PARTNER.partnerSecret,
			name: get('partner-name') ?? DEFAULT_PARTNER.name,
		},
		{ ...DEFAULT_OTHER_PARTNER },
	];
	const callbackUrl = get('callback-url');
	if (callbackUrl) options.callbackUrl = callbackUrl;
	const callbackSecret = get('callback-secret');
	if (callbackSecret) options.callbackSecret = callbackSecret;
	const accessTtl = get('access-token-ttl');
	if (accessTtl) options.accessTokenTtlMs = parseDuration(accessTtl, 'access-token-ttl');
	const refreshTtl = get('refresh-token-ttl');
	if (refreshTtl) options.refreshTokenTtlMs = parseDuration(refreshTtl, 'refresh-token-ttl');
	const rate = get('rate-limit');
	if (rate) options.rateLimitPerMinute = parseNumber(rate, 'rate-limit', 1);
	const auto = get('auto-dispatch');
	if (values['no-auto-dispatch'] === true) options.autoDispatch = false;
	else if (auto) options.autoDispatch = parseSwitch(auto, 'auto-dispatch');
	const chaos = get('chaos');
	if (chaos) options.chaos = parseChaos(chaos);
	const quietEnv = env.G2S_SANDBOX_QUIET;
	return {
		options,
		help: values.help === true,
		quiet: values.quiet === true || (quietEnv !== undefined && quietEnv !== '' && parseSwitch(quietEnv, 'G2S_SANDBOX_QUIET')),
		customSecrets: { partner: partnerSecret !== undefined, callback: callbackSecret !== undefined },
	};
}

export function helpText(): string {
	const lines = CLI_FLAGS.map(([flag, env, value, text]) => `  --${`${flag} <${value}>`.padEnd(28)} ${text}\n  ${''.padEnd(30)} env ${env}`);
	return [
		'Usage: npm run sandbox -- [options]',
		'',
		'A local G2 Sentry Partner API (see sandbox/README.md). Options:',
		...lines,
		`  --${'no-auto-dispatch'.padEnd(28)} same as --auto-dispatch off`,
		`  --${'quiet'.padEnd(28)} do not log each request and callback`,
		`  ${''.padEnd(30)} env G2S_SANDBOX_QUIET=1`,
		`  --${'help'.padEnd(28)} this text`,
	].join('\n');
}

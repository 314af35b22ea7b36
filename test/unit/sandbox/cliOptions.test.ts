import { CliError, parseChaos, parseCli, parseDuration } from '../../../lab/sandbox/cliOptions';

describe('sandbox CLI options', () => {
	it('defaults to 127.0.0.1:4010, time scale 10, the default partner', () => {
		const { options, customSecrets } = parseCli([], {});
		expect(options).toMatchObject({ port: 4010, host: '127.0.0.1', timeScale: 10 });
		expect(options.partners![0]).toEqual({ partnerKey: 'TEST_PARTNER', partnerSecret: 'sandbox-partner-secret', name: 'Test Partner Company' });
		expect(customSecrets).toEqual({ partner: false, callback: false });
	});

	it('reads every option from flags and from environment variables, flags winning', () => {
		const env = {
			G2S_SANDBOX_PORT: '5000',
			G2S_SANDBOX_HOST: '0.0.0.0',
			G2S_SANDBOX_PARTNER_KEY: 'ENV_KEY',
			G2S_SANDBOX_PARTNER_SECRET: 'env-secret',
			G2S_SANDBOX_CALLBACK_URL: 'https://env.example/hook',
			G2S_SANDBOX_CALLBACK_SECRET: 'env-cb',
			G2S_SANDBOX_ACCESS_TOKEN_TTL: '30s',
			G2S_SANDBOX_REFRESH_TOKEN_TTL: '2h',
			G2S_SANDBOX_RATE_LIMIT: '120',
			G2S_SANDBOX_TIME_SCALE: '100',
			G2S_SANDBOX_AUTO_DISPATCH: 'off',
			G2S_SANDBOX_CHAOS: 'duplicates',
		};
		const fromEnv = parseCli([], env);
		expect(fromEnv.options).toMatchObject({
			port: 5000,
			host: '0.0.0.0',
			callbackUrl: 'https://env.example/hook',
			callbackSecret: 'env-cb',
			accessTokenTtlMs: 30_000,
			refreshTokenTtlMs: 7_200_000,
			rateLimitPerMinute: 120,
			timeScale: 100,
			autoDispatch: false,
			chaos: { duplicateDeliveries: 1 },
		});
		expect(fromEnv.options.partners![0]).toMatchObject({ partnerKey: 'ENV_KEY', partnerSecret: 'env-secret' });
		expect(fromEnv.customSecrets).toEqual({ partner: true, callback: true });
		const flags = parseCli(['--port', '0', '--partner-key', 'FLAG_KEY', '--auto-dispatch', 'on', '--time-scale', '2', '--quiet'], env);
		expect(flags.options).toMatchObject({ port: 0, timeScale: 2, autoDispatch: true });
		expect(flags.options.partners![0].partnerKey).toBe('FLAG_KEY');
		expect(flags.quiet).toBe(true);
		expect(parseCli(['--no-auto-dispatch'], {}).options.autoDispatch).toBe(false);
	});

	it('parses durations and chaos lists', () => {
		expect(parseDuration('15m', 'x')).toBe(900_000);
		expect(parseDuration('500ms', 'x')).toBe(500);
		expect(parseDuration('7d', 'x')).toBe(604_800_000);
		expect(parseDuration('1500', 'x')).toBe(1500);
		expect(() => parseDuration('soon', 'x')).toThrow(CliError);
		expect(() => parseDuration('0s', 'x')).toThrow(CliError);
		expect(parseChaos('duplicates=0.5, shuffle,failures=0.2,drops,short-tokens,withdraw,pretty,seed=9')).toEqual({
			duplicateDeliveries: 0.5,
			shuffleDeliveries: true,
			failureRate: 0.2,
			dropConnectionRate: 0.05,
			shortTokenLifetimes: true,
			withdrawRate: 0.3,
			prettyCallbackBodies: true,
			seed: 9,
		});
		expect(() => parseChaos('earthquake')).toThrow(/unknown knob/);
	});

	it('refuses nonsense with a clear message', () => {
		expect(() => parseCli(['--port', 'eighty'], {})).toThrow(/port/);
		expect(() => parseCli(['--time-scale', '0'], {})).toThrow(/time-scale/);
		expect(() => parseCli(['--auto-dispatch', 'maybe'], {})).toThrow(/on or off/);
		expect(() => parseCli(['--bogus'], {})).toThrow();
		expect(() => parseCli([], { G2S_SANDBOX_RATE_LIMIT: '0' })).toThrow(/rate-limit/);
	});

	it('refuses ports outside 0..65535 or not whole, probabilities over 1, and empty flag values', () => {
		for (const port of ['65536', '-1', '80.5', '1e9']) expect(() => parseCli([`--port=${port}`], {})).toThrow(/port: .* 0 to 65535/);
		expect(parseCli(['--port', '65535'], {}).options.port).toBe(65535);
		expect(() => parseChaos('duplicates=2')).toThrow(/duplicates .*from 0 to 1/);
		expect(() => parseChaos('failures=1.5')).toThrow(CliError);
		expect(() => parseCli(['--callback-url', ''], {})).toThrow(/--callback-url was given an empty value/);
		expect(() => parseCli(['4010'], {})).toThrow(/4010/);
	});
});

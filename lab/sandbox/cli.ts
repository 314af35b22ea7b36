/**
 * `npm run sandbox`: start a sandbox on 127.0.0.1:4010 and print what a user needs to point the
 * n8n credential (or curl) at it. Ctrl-C stops it cleanly.
 */
import { startSandbox } from './index';
import { CliError, helpText, parseCli } from './cliOptions';

async function main(): Promise<void> {
	let settings;
	try {
		settings = parseCli(process.argv.slice(2), process.env);
	} catch (err) {
		process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${helpText()}\n`);
		process.exit(2);
	}
	if (settings.help) {
		process.stdout.write(`${helpText()}\n`);
		return;
	}
	const log = settings.quiet ? null : (line: string) => process.stdout.write(`[${new Date().toISOString()}] ${line}\n`);
	let sandbox;
	try {
		sandbox = await startSandbox({ ...settings.options, log });
	} catch (err) {
		const message = err instanceof Error ? err.message : String(err);
		const hint = /EADDRINUSE/.test(message) ? ' (another process has that port: pick one with --port)' : '';
		process.stderr.write(`Could not start the sandbox: ${message}${hint}\n`);
		process.exit(1);
	}
	const { callbackUrl, timeScale, autoDispatch = true } = settings.options;
	const shown = (custom: boolean, value: string) => (custom ? '(as given)' : value);
	process.stdout.write(
		[
			'G2 Sentry Partner API sandbox is running.',
			'In n8n, create a "G2 Sentry API" credential with Environment "Custom" and these values:',
			`  Base URL:        ${sandbox.baseUrl}`,
			`  Partner key:     ${sandbox.partner.partnerKey}`,
			`  Partner secret:  ${shown(settings.customSecrets.partner, sandbox.partner.partnerSecret)}`,
			`  Callback secret: ${shown(settings.customSecrets.callback, sandbox.callbackSecret)}`,
			'Also useful:',
			// the portal's callback URL field: here it is the sandbox's setting, not the credential's
			`  Callbacks go to: ${callbackUrl ?? '(nowhere yet: --callback-url, or POST /_control/config {"callbackUrl": "<the G2 Sentry Trigger\'s webhook URL>"})'}`,
			`  Other partner:   ${sandbox.otherPartner.partnerKey} / ${sandbox.otherPartner.partnerSecret} (for isolation checks)`,
			`  Guardians:       ${autoDispatch ? `automatic, time scale ×${timeScale}` : 'manual (use the control API)'}`,
			`  Control API:     ${sandbox.controlUrl}  (GET it for the list: move jobs, withdraw, fail-next, deliveries, requests)`,
			...dockerHint(sandbox.origin),
			'Press Ctrl-C to stop.',
			'',
		].join('\n'),
	);
	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) process.exit(130);
		stopping = true;
		process.stdout.write(`\n${signal}: stopping the sandbox…\n`);
		sandbox.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

/** n8n in a container cannot reach the host's 127.0.0.1: say how, since that is the usual first snag. */
function dockerHint(origin: string): string[] {
	const { hostname, port } = new URL(origin);
	if (hostname !== '127.0.0.1' && hostname !== 'localhost') return [];
	return [
		`  n8n in Docker:   use http://host.docker.internal:${port}/api/v1 with the sandbox bound to the Docker bridge`,
		'                   address (e.g. --host 172.17.0.1). --host 0.0.0.0 works too, but exposes the control API',
		'                   (no authentication) to every network this machine is on.',
	];
}

main().catch((err: unknown) => {
	process.stderr.write(`${err instanceof CliError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
	process.exit(1);
});

/**
 * A local G2 Sentry Partner API for development, tests and demos (see lab/sandbox/README.md).
 *
 *   const sandbox = await startSandbox({ timeScale: 1000, callbackUrl: receiver.url });
 *   // sandbox.baseUrl → http://127.0.0.1:PORT/api/v1
 *   await sandbox.close();
 */
import type { AddressInfo } from 'node:net';
import { API_PREFIX } from '../../nodes/shared/contract';
import { SandboxCore } from './core';
import { checkConfigPatch, checkStartOptions, resolveOptions, type SandboxConfigPatch, type SandboxStartOptions } from './options';
import { CONTROL_PREFIX, createSandboxServer } from './server';
import { describeSandbox } from './describe';

export type { SandboxOptions, SandboxStartOptions, SandboxConfigPatch, SandboxPartner, ChaosOptions, VariantOptions, DispatchTimings } from './options';
export type { DeliveryAttempt } from './deliverer';
export type { RequestRecord } from './core';
export { sign as signCallbackBody } from './deliverer';

export interface Sandbox {
	/** http://127.0.0.1:PORT */
	origin: string;
	/** origin + /api/v1 */
	baseUrl: string;
	/** origin + /_control */
	controlUrl: string;
	/** the default partner */
	partner: { partnerKey: string; partnerSecret: string };
	/** a second partner, for isolation tests */
	otherPartner: { partnerKey: string; partnerSecret: string };
	callbackSecret: string;
	/** same as POST /_control/config; throws on an invalid patch */
	configure(patch: SandboxConfigPatch): void;
	close(): Promise<void>;
}

/** Loopback addresses: only this machine can reach a server bound to one. */
export function isLoopbackHost(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * What to say when the sandbox listens beyond loopback: its control API has no authentication
 * and can reconfigure it (callback URL, secrets shown as set, failures), so anyone who can reach
 * the port can steer it and have it POST to any address. Null on loopback.
 */
export function exposureWarning(host: string, port: number): string | null {
	if (isLoopbackHost(host)) return null;
	return [
		`WARNING: the sandbox listens on ${host}:${port}, beyond this machine.`,
		'  Its control API (/_control) has no authentication: anyone who can reach this port can move jobs,',
		'  change the callback URL and secret, and make the sandbox send requests wherever they like.',
		'  Bind to 127.0.0.1 (the default) unless you must, and then only on a network you trust (e.g. a',
		'  Docker bridge address rather than 0.0.0.0).',
	].join('\n');
}

export async function startSandbox(options: SandboxStartOptions = {}): Promise<Sandbox> {
	const resolved = resolveOptions(options);
	// the run-time options get the same checks as POST /_control/config
	const problems = checkStartOptions(resolved);
	if (problems.length > 0) throw new Error(`Invalid sandbox options: ${problems.map((p) => `${p.fieldName} ${p.message}`).join('; ')}`);
	const core = new SandboxCore(resolved);
	const server = createSandboxServer(core, (routes) => describeSandbox(core, routes));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(resolved.port, resolved.host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const { port } = server.address() as AddressInfo;
	const warning = exposureWarning(resolved.host, port);
	// loud on purpose: stderr whatever the log setting, and the log too
	if (warning) {
		process.stderr.write(`${warning}\n`);
		resolved.log?.(warning);
	}
	const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host === '0.0.0.0' ? '127.0.0.1' : resolved.host;
	const origin = `http://${host}:${port}`;
	core.origin = origin;
	const [first, second] = resolved.partners;
	let closing: Promise<void> | null = null;

	return {
		origin,
		baseUrl: origin + API_PREFIX,
		controlUrl: origin + CONTROL_PREFIX,
		partner: { partnerKey: first.partnerKey, partnerSecret: first.partnerSecret },
		otherPartner: { partnerKey: second.partnerKey, partnerSecret: second.partnerSecret },
		get callbackSecret() {
			return core.config.callbackSecret;
		},
		configure(patch) {
			const errors = checkConfigPatch(patch, core.config.allowHttpCallbacks);
			if (errors.length > 0) throw new Error(`Invalid sandbox configuration: ${errors.map((e) => `${e.fieldName} ${e.message}`).join('; ')}`);
			core.configure(patch);
		},
		close() {
			closing ??= (async () => {
				await core.close();
				await new Promise<void>((resolve) => {
					server.close(() => resolve());
					server.closeAllConnections();
				});
			})();
			return closing;
		},
	};
}

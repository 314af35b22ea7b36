// What differs between the n8n versions the harness runs (1.x, early 2.x, current 2.x), read from
// the installed n8n itself rather than from a table of version numbers, so a version in between
// gets what it actually has:
// - `publish:workflow` exists from n8n 2.0; 1.x activates with `update:workflow --active=true`;
// - N8N_DISABLED_MODULES refuses names the version does not know (1.x has no `mcp-registry`);
// - the owner account can be created from env only on newer versions; elsewhere through the
//   one-time owner set-up of the REST API (what the browser does on first start).
import fs from 'node:fs';
import path from 'node:path';

import { sleep } from './processes';

/** The account the harness logs in to n8n's editor and REST API with. */
export interface N8nOwner {
	email: string;
	password: string;
	firstName?: string;
	lastName?: string;
}

/** Modules the harness switches off where the version has them (mcp-registry reaches the internet). */
const MODULES_TO_DISABLE = ['mcp-registry'];

export interface N8nCapabilities {
	/** CLI arguments that publish (activate) workflow `id` while n8n is stopped. */
	publishArgs(id: string): string[];
	/** Value for N8N_DISABLED_MODULES ('' when the version knows none of them). */
	disabledModules: string;
}

export function capabilitiesOf(runtimeDir: string): N8nCapabilities {
	const modules = path.join(runtimeDir, 'node_modules');
	const hasPublish = fs.existsSync(path.join(modules, 'n8n', 'dist', 'commands', 'publish'));
	let moduleNames = '';
	try {
		moduleNames = fs.readFileSync(path.join(modules, '@n8n', 'backend-common', 'dist', 'modules', 'modules.config.js'), 'utf8');
	} catch {
		// versions before the module system have nothing to disable
	}
	return {
		publishArgs: (id) => (hasPublish ? ['publish:workflow', `--id=${id}`] : ['update:workflow', `--id=${id}`, '--active=true']),
		disabledModules: MODULES_TO_DISABLE.filter((name) => moduleNames.includes(`'${name}'`)).join(','),
	};
}

/**
 * Logs `owner` in over n8n's REST API and returns the session cookie. Where the owner could not
 * be created from env (older versions), the first call creates it through the owner set-up.
 * n8n answers its readiness probe before its REST API can serve (404 or 503 until then).
 */
export async function restSession(baseUrl: string, owner: N8nOwner, timeoutMs = 60_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	const post = async (route: string, body: object): Promise<Response> => {
		for (;;) {
			try {
				const res = await fetch(`${baseUrl}/rest/${route}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(body),
				});
				// 404: routes not registered yet (1.x); 503 "Database is not ready!" (2.8.4)
				if ((res.status !== 404 && res.status !== 503) || Date.now() > deadline) return res;
				await res.text();
			} catch (error) {
				// a kept-alive connection n8n closed as it was reused; a busy machine makes this likelier
				if (Date.now() > deadline) throw error;
			}
			await sleep(250);
		}
	};
	let res = await post('login', { emailOrLdapLoginId: owner.email, password: owner.password });
	if (res.status === 401) {
		await res.text();
		res = await post('owner/setup', {
			email: owner.email,
			firstName: owner.firstName ?? 'Demo',
			lastName: owner.lastName ?? 'Owner',
			password: owner.password,
		});
	}
	if (res.status !== 200) throw new Error(`could not log in to n8n at ${baseUrl} as ${owner.email}: ${res.status} ${(await res.text()).slice(0, 300)}`);
	await res.text();
	const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
	if (!cookie) throw new Error(`n8n at ${baseUrl} logged ${owner.email} in without a session cookie`);
	return cookie;
}

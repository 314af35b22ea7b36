/** GET /_control: what this sandbox is, how it is set up, and what the control API offers. */
import { API_PREFIX } from '../../nodes/shared/contract';
import { publicConfig } from './control';
import type { SandboxCore } from './core';
import type { Route } from './http';
import { CONTROL_PREFIX } from './server';

/** `routes`: the control routes as served, so the list cannot drift from what the sandbox does. */
export function describeSandbox(core: SandboxCore, routes: Route[]): object {
	return {
		name: 'G2 Sentry Partner API sandbox',
		baseUrl: core.origin + API_PREFIX,
		controlUrl: core.origin + CONTROL_PREFIX,
		partners: core.config.partners.map((p) => p.partnerKey),
		config: publicConfig(core.config),
		counts: {
			jobs: core.jobs.list().length,
			deliveries: core.deliverer.attempts.length,
			requests: core.requests.length,
			pendingFailures: core.failRules.length,
		},
		routes: routes.map((r) => ({
			method: r.method,
			path: r.pattern === '/' ? CONTROL_PREFIX : CONTROL_PREFIX + r.pattern,
			description: r.description ?? '',
		})),
	};
}

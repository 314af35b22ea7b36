/** GET /_control: what this sandbox is, how it is set up, and what the control API offers. */
import { API_PREFIX } from '../nodes/shared/contract';
import { publicConfig } from './control';
import type { SandboxCore } from './core';

const ROUTES = [
	['GET', '/_control', 'this description'],
	['GET', '/_control/config', 'current options (secrets shown as "(set)")'],
	['POST', '/_control/config', 'patch options at run time: callbackUrl, callbackSecret, accessTokenTtlMs, refreshTokenTtlMs, rateLimitPerMinute, rateLimitWindowMs, timeScale, autoDispatch, allowHttpCallbacks, maxBodyBytes, bodyTimeoutMs, deliveryTimeoutMs, chaos{}, variants{}, dispatch{}'],
	['GET', '/_control/jobs', 'every job of every partner, raw state with history'],
	['GET', '/_control/jobs/:jobId', 'one job, raw state'],
	['POST', '/_control/jobs/:jobId/transition', '{ "to": "Assigned"|"InProgress"|"Completed"|"New"|"Canceled" } one allowed step, firing the callback'],
	['POST', '/_control/jobs/:jobId/withdraw', 'the assigned Guardian withdraws (JobWithdrawed); refused inside the cut-off'],
	['POST', '/_control/jobs/:jobId/inside-cut-off', '{ "startsInMs"?: number } move the scheduled start to within 2 h (default 1 h from now)'],
	['GET', '/_control/deliveries', 'every callback attempt (?jobId= to filter)'],
	['GET', '/_control/requests', 'every API request received'],
	['POST', '/_control/fail-next', '{ count?, status?: 429|500|502|503, retryAfterSeconds?, drop?: true, after?: true, delayMs?, path?: regex, method? } fail (or slow down) the next matching API requests'],
	['GET', '/_control/tokens', 'every access and refresh token issued since start-up'],
	['GET', '/_control/fail-next', 'failure rules still pending'],
	['DELETE', '/_control/fail-next', 'drop pending failure rules'],
	['POST', '/_control/expire-tokens', '{ "which"?: "access"|"refresh"|"all" } expire the tokens issued so far'],
	['POST', '/_control/reset', 'forget jobs, tokens, deliveries, requests and rules; back to start-up options'],
];

export function describeSandbox(core: SandboxCore): object {
	return {
		name: 'G2 Sentry Partner API sandbox',
		baseUrl: core.origin + API_PREFIX,
		controlUrl: `${core.origin}/_control`,
		partners: core.config.partners.map((p) => p.partnerKey),
		config: publicConfig(core.config),
		counts: {
			jobs: core.jobs.list().length,
			deliveries: core.deliverer.attempts.length,
			requests: core.requests.length,
			pendingFailures: core.failRules.length,
		},
		routes: ROUTES.map(([method, path, description]) => ({ method, path, description })),
	};
}

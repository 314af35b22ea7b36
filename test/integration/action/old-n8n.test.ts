/**
 * The action node against the sandbox with n8n 1.x's error shape (see lab/helpers/old-n8n.ts):
 * the cases issue #8 found broken on n8n before 2.34 — a cut-off Cancel sent 4 times and called
 * "could not reach", 429s failing items, a refused login retried — plus the 401 refresh.
 */
import type { NodeApiError } from 'n8n-workflow';

import { G2Sentry } from '../../../nodes/G2Sentry/G2Sentry.node';
import { asOnOldN8n, type OldN8nOptions } from '../../../lab/helpers/old-n8n';
import { createJob, freshCredentials, useSandbox } from '../../../lab/helpers/action-setup';
import { useShortBackoff } from '../../../lab/helpers/shortBackoff';

const env = useSandbox();
useShortBackoff(); // the 429 waits stay real: those tests race the sandbox's rate window
const oldN8n = (options: OldN8nOptions = {}) => ({ nodeType: asOnOldN8n(new G2Sentry(), options) });
const calls = async () => (await env.requests()).map((r) => `${r.method} ${r.path.replace('/api/v1', '')} ${r.status}`);

it('a Cancel inside the cut-off: sent once, and the 422 explained', async () => {
	const jobId = await createJob(env);
	await env.control('POST', `/jobs/${jobId}/inside-cut-off`);
	const before = (await calls()).length;
	const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) }, undefined, oldN8n());
	expect(result.error?.message).toBe(`Too late to change job ${jobId}: the 2-hour cut-off before the scheduled start has passed`);
	expect((result.error as NodeApiError).context.code).toBe('CUT_OFF_EXCEEDED');
	expect((await calls()).slice(before)).toEqual([`GET /jobs/${jobId}/cancel 422`]);
});

it.each([
	['with Retry-After', {}],
	['without Retry-After', { stripRetryAfter: true }],
])('429s %s are waited out: no item fails', async (_label, options) => {
	const jobId = await createJob(env);
	await env.control('POST', '/config', { rateLimitPerMinute: 4, rateLimitWindowMs: 1000 });
	const items = Array.from({ length: 7 }, () => ({ id: jobId }));
	const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '={{ $json.id }}' }, items, oldN8n(options));
	expect(result.error).toBeUndefined();
	expect(result.items.map((i) => i.json.status)).toEqual(Array(7).fill('New'));
	const log = await calls();
	expect(log.filter((c) => c.endsWith(' 429')).length).toBeGreaterThan(0);
	expect(log.filter((c) => c === `GET /jobs/${jobId}/status 200`)).toHaveLength(7);
}, 60_000);

it('an expired access token: n8n refreshes it and the request goes through', async () => {
	const jobId = await createJob(env);
	await env.control('POST', '/expire-tokens', { which: 'access' });
	const before = (await calls()).length;
	const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) }, undefined, oldN8n());
	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toEqual({ jobId, status: 'New' });
	expect((await calls()).slice(before)).toEqual([
		`GET /jobs/${jobId}/status 401`, // answered as a value: n8n does not refresh on that
		`GET /jobs/${jobId}/status 401`, // sent again the throwing way, so n8n refreshes
		'GET /access/refresh 200',
		`GET /jobs/${jobId}/status 200`,
	]);
});

it('a wrong partner secret: said as such, and not retried', async () => {
	env.credentials = freshCredentials(env.sandbox, { ...env.sandbox.partner, partnerSecret: 'not-the-partner-secret' });
	const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '12' }, undefined, oldN8n());
	expect(result.error?.message).toMatch(/^G2 Sentry did not accept the partner key and secret/);
	expect(JSON.stringify(result.error)).not.toContain('not-the-partner-secret');
	const log = await calls();
	expect(log.filter((c) => c.startsWith('POST /access/login'))).toEqual(['POST /access/login 401']);
	expect(log.filter((c) => c.startsWith('GET /jobs'))).toEqual([]);
});

it('a dropped connection on a read is retried; a 404 is explained, not called unreachable', async () => {
	const jobId = await createJob(env);
	await env.control('POST', '/fail-next', { drop: true, path: '*/status' });
	const read = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) }, undefined, oldN8n());
	expect(read.items[0].json).toEqual({ jobId, status: 'New' });
	const invalid = await env.run({ resource: 'job', operation: 'get', jobId: '999999' }, undefined, oldN8n());
	expect(invalid.error?.message).toBe('Job 999999 was not found, or it belongs to another partner account');
});

it('a Cancel whose answer was lost and whose repeat finds the job already canceled reports success', async () => {
	const jobId = await createJob(env);
	await env.control('POST', '/fail-next', { drop: true, after: true, path: '*/cancel' });
	const before = (await calls()).length;
	const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) }, undefined, oldN8n());
	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toMatchObject({ jobId, status: 'Canceled', message: expect.stringMatching(/already canceled/) });
	expect((await calls()).slice(before).filter((c) => c.includes('/cancel'))).toEqual([
		`GET /jobs/${jobId}/cancel null`, // took effect, then the sandbox dropped the connection
		`GET /jobs/${jobId}/cancel 422`,
	]);
	expect((await env.control('GET', `/jobs/${jobId}`)).status).toBe('Canceled');
});

it('a Cancel refused for another reason after a lost answer is still reported as refused', async () => {
	const jobId = await createJob(env);
	await env.control('POST', `/jobs/${jobId}/inside-cut-off`);
	await env.control('POST', '/fail-next', { status: 503, path: '*/cancel' });
	const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) }, undefined, oldN8n());
	expect(result.error?.message).toMatch(/^Too late to change job/);
	expect((await env.control('GET', `/jobs/${jobId}`)).status).toBe('New');
});

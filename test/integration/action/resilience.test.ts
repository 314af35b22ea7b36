/**
 * Rate limits, injected server errors and dropped connections, through n8n-core against the
 * sandbox — including the proof that a create whose fate is unknown is never sent twice. The
 * back-off between tries of a lost answer is shortened (lab/helpers/shortBackoff.ts); the 429
 * waits are the real ones, against the sandbox's real rate window.
 */
import type { NodeApiError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../../credentials/G2SentryApi.credentials';
import { sharedPacer as pacer } from '../../../nodes/shared/transport/pacing';
import { createJob, createParameters, useSandbox } from '../../../lab/helpers/action-setup';
import { shortBackoffMs, useShortBackoff } from '../../../lab/helpers/shortBackoff';

const env = useSandbox();
useShortBackoff();

const jobsRequests = async () => (await env.requests()).filter((r) => !r.path.includes('/access/'));
const failNext = (rule: Record<string, unknown>) => env.control('POST', '/fail-next', rule);
const allJobs = async () => (await env.control('GET', '/jobs')) as Array<{ jobId: number; job: { name: string } }>;

describe('rate limit', () => {
	it('waits out 429s (Retry-After) instead of failing items', async () => {
		const jobId = await createJob(env);
		await env.control('POST', '/config', { rateLimitPerMinute: 4, rateLimitWindowMs: 1000 });
		const items = Array.from({ length: 9 }, () => ({ id: jobId }));

		const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '={{ $json.id }}' }, items);

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(9);
		const log = await jobsRequests();
		const limited = log.filter((r) => r.status === 429);
		expect(limited.length).toBeGreaterThan(0);
		// after each 429 the node kept quiet for the Retry-After (1 s here) before the next try
		for (const refused of limited) {
			const next = log.find((r) => Date.parse(r.time) > Date.parse(refused.time) && r.status !== 429);
			expect(Date.parse(next!.time) - Date.parse(refused.time)).toBeGreaterThanOrEqual(950);
		}
		expect(log.filter((r) => r.status === 200)).toHaveLength(9);
	}, 20_000);

	it('paces itself under the limit across items and parallel executions: no 429 at all', async () => {
		const jobId = await createJob(env); // logs in; the paced runs below reuse the token
		await env.control('POST', '/config', { rateLimitPerMinute: 4, rateLimitWindowMs: 1000 });
		await new Promise((resolve) => setTimeout(resolve, 1100)); // let the login and create leave the window
		pacer.configure({ requests: 3, windowMs: 1000 }); // the node's budget, one below the server's
		const params = { resource: 'job', operation: 'getStatus', jobId: String(jobId) };
		const started = Date.now();

		const runs = await Promise.all([env.run(params, [{}, {}, {}, {}]), env.run(params, [{}, {}, {}, {}])]);

		for (const run of runs) expect(run.error).toBeUndefined();
		const log = (await jobsRequests()).filter((r) => Date.parse(r.time) >= started);
		expect(log).toHaveLength(8);
		expect(log.filter((r) => r.status === 429)).toEqual([]);
		// 8 requests at 3 per second need at least two full windows
		expect(Date.parse(log[7].time) - Date.parse(log[0].time)).toBeGreaterThanOrEqual(1900);
	}, 20_000);
});

describe('server errors and dropped connections', () => {
	it('retries an idempotent call through 5xx answers and a dropped connection', async () => {
		const jobId = await createJob(env);
		await failNext({ count: 1, status: 503, path: '*/status' });
		await failNext({ count: 1, drop: true, path: '*/status' });
		const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) });
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ jobId, status: 'New' });
		const statusCalls = (await jobsRequests()).filter((r) => r.path.endsWith('/status'));
		expect(statusCalls.map((r) => r.injected ?? r.status)).toEqual(['status', 'drop', 200]);
	}, 15_000);

	it('repeats an update whose answer was lost after it took effect (PATCH is idempotent)', async () => {
		const jobId = await createJob(env);
		await failNext({ count: 1, drop: true, after: true, method: 'PATCH' });
		const result = await env.run({ resource: 'job', operation: 'update', jobId: String(jobId), updateFields: { duration: 45 } });
		expect(result.error).toBeUndefined();
		expect((await env.control('GET', `/jobs/${jobId}`)).job.duration).toBe(45);
		expect((await jobsRequests()).filter((r) => r.method === 'PATCH')).toHaveLength(2);
	}, 15_000);

	it('gives up after the last retry and says how often it tried', async () => {
		const jobId = await createJob(env);
		await failNext({ count: 4, status: 502, path: '*/status' });
		const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) });
		expect(result.error?.message).toBe('G2 Sentry had a problem on its side (HTTP 502)');
		expect((result.error as NodeApiError).description).toMatch(/tried 4 time/);
		expect((await jobsRequests()).filter((r) => r.path.endsWith('/status'))).toHaveLength(4);
	}, 20_000);
});

describe('a create is never sent twice', () => {
	it('when the answer is lost after G2 Sentry created the job (connection dropped)', async () => {
		await failNext({ count: 1, drop: true, after: true, method: 'POST', path: '*/jobs' });
		const result = await env.run(createParameters({ name: 'Dropped after create' }));

		expect(result.error?.message).toMatch(/^Could not reach G2 Sentry at http:\/\/127\.0\.0\.1:\d+$/);
		expect((result.error as NodeApiError).description).toMatch(/may or may not have been created\. It was NOT sent again/);
		const posts = (await env.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v1/jobs');
		expect(posts).toHaveLength(1);
		expect((await allJobs()).filter((j) => j.job.name === 'Dropped after create')).toHaveLength(1);
	});

	it.each([500, 502, 503])('when G2 Sentry answers %p', async (status) => {
		await failNext({ count: 1, status, method: 'POST', path: '*/jobs' });
		const result = await env.run(createParameters({ name: `Server error ${status}` }), [{}], { onError: 'continueErrorOutput' });

		expect(result.items).toEqual([]);
		expect(result.errorItems).toHaveLength(1);
		expect(result.errorItems[0].json).toMatchObject({
			error: `G2 Sentry had a problem on its side (HTTP ${status})`,
			details: { httpCode: String(status), description: expect.stringMatching(/NOT sent again/) },
		});
		const posts = (await env.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v1/jobs');
		expect(posts).toHaveLength(1);
	});

	it('across a multi-item run with random chaos: every job created is reported, none twice', async () => {
		await env.control('POST', '/config', { chaos: { dropConnectionRate: 0.3, failureRate: 0.2, seed: 7 } });
		const names = Array.from({ length: 12 }, (_, i) => ({ title: `Chaos ${i}` }));
		const result = await env.run(createParameters({ name: '={{ $json.title }}' }), names, { onError: 'continueRegularOutput' });

		await env.control('POST', '/config', { chaos: { dropConnectionRate: 0, failureRate: 0 } });
		const created = await allJobs();
		const posts = (await env.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v1/jobs');
		expect(posts).toHaveLength(12); // one attempt per item, whatever happened to it
		for (const [i, item] of result.items.entries()) {
			const matching = created.filter((j) => j.job.name === `Chaos ${i}`);
			expect(matching.length).toBeLessThanOrEqual(1);
			if (item.json.jobId !== undefined) expect(matching.map((j) => j.jobId)).toEqual([item.json.jobId]);
			else expect(item.json.error).toEqual(expect.any(String));
		}
	}, 30_000);
});

it('retries a create when the connection could not even be made, then explains', async () => {
	env.credentials.patch(CREDENTIAL_TYPE, { baseUrl: 'http://127.0.0.1:1/api/v1' });
	const started = Date.now();
	const result = await env.run(createParameters());
	expect(result.error?.message).toBe(
		'Nothing is answering at http://127.0.0.1:1. Check the Base URL (address and port) and that the service is running.',
	);
	// it waited the whole back-off (here the shortened one) between its 4 tries
	expect(Date.now() - started).toBeGreaterThanOrEqual(shortBackoffMs.reduce((sum, ms) => sum + ms, 0));
}, 20_000);

it('stops waiting for the rate limit at once when the execution is cancelled', async () => {
	const jobId = await createJob(env);
	await env.control('POST', '/config', { rateLimitPerMinute: 2, rateLimitWindowMs: 60_000 }); // Retry-After ≈ 60 s
	const started = Date.now();
	const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) }, [{}, {}, {}], {
		cancelAfterMs: 800,
	});
	expect(Date.now() - started).toBeLessThan(5000);
	expect(result.error?.message).toBe('The execution was cancelled while waiting to call G2 Sentry');
}, 20_000);

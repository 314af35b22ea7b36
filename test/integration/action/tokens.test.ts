/**
 * Token handling through n8n-core and the real credential: expiry in the middle of a run,
 * refresh refused → login again, tokens persisted and reused, parallel executions.
 */
import { CREDENTIAL_TYPE } from '../../../credentials/G2SentryApi.credentials';
import { sharedPacer as pacer } from '../../../nodes/shared/transport/pacing';
import { createJob, useSandbox } from '../../../lab/helpers/action-setup';

const env = useSandbox();

const calls = async () => (await env.requests()).map((r) => `${r.method} ${r.path.replace('/api/v1', '')} ${r.status}`);

it('refreshes an access token that expires in the middle of a run, and stores the new pair', async () => {
	const jobId = await createJob(env);
	// a token lifetime long enough for refresh → re-send on a busy machine, short against the run
	await env.control('POST', '/config', { accessTokenTtlMs: 700 });
	await env.control('POST', '/expire-tokens', { which: 'access' });
	pacer.configure({ requests: 1, windowMs: 300 }); // spread the items over several seconds: several token lifetimes

	const items = Array.from({ length: 8 }, () => ({ id: jobId }));
	const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '={{ $json.id }}' }, items);

	expect(result.error).toBeUndefined();
	expect(result.items.map((i) => i.json.status)).toEqual(Array(8).fill('New'));
	const log = await calls();
	const refreshes = log.filter((c) => c === 'GET /access/refresh 200').length;
	expect(refreshes).toBeGreaterThanOrEqual(2);
	expect(log.filter((c) => c.startsWith('POST /access/login'))).toEqual(['POST /access/login 200']); // the first login only
	// every 401 (an answer the node reads as a value, which n8n does not refresh on) was followed by
	// the same request sent the way n8n refreshes on, its 401, the refresh, and the request again
	log.forEach((call, i) => {
		if (call.endsWith(' 401') && log[i - 1] !== call) {
			expect(log.slice(i + 1, i + 4)).toEqual([call, 'GET /access/refresh 200', call.replace(/ 401$/, ' 200')]);
		}
	});
	// n8n persisted each new pair; the stored refresh token is the newest (single-use tokens)
	const stored = env.credentials.get(CREDENTIAL_TYPE);
	const lastUpdate = env.credentials.updates.at(-1)!.data;
	expect(stored.refreshToken).toBe(lastUpdate.refreshToken);
	expect(env.credentials.updates.length).toBe(1 + refreshes);
});

it('logs in again with key and secret when the refresh token is refused', async () => {
	const jobId = await createJob(env);
	env.credentials.patch(CREDENTIAL_TYPE, { accessToken: 'stale-access-token', refreshToken: 'revoked-refresh-token' });
	const before = (await env.requests()).length;

	const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) });

	expect(result.error).toBeUndefined();
	expect(result.items[0].json).toEqual({ jobId, status: 'New' });
	expect((await calls()).slice(before)).toEqual([
		`GET /jobs/${jobId}/status 401`,
		`GET /jobs/${jobId}/status 401`, // sent again the way n8n refreshes on
		'GET /access/refresh 401',
		'POST /access/login 200',
		`GET /jobs/${jobId}/status 200`,
	]);
	expect(env.credentials.get(CREDENTIAL_TYPE).refreshToken).not.toBe('revoked-refresh-token');
});

it('recovers when both tokens have expired between executions', async () => {
	const jobId = await createJob(env);
	await env.control('POST', '/expire-tokens', { which: 'all' });
	const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) });
	expect(result.error).toBeUndefined();
	expect((await env.control('GET', `/jobs/${jobId}`)).status).toBe('Canceled');
});

it('does not send a create twice when its token had expired (the 401 means it was refused)', async () => {
	await createJob(env);
	await env.control('POST', '/expire-tokens', { which: 'access' });
	const result = await env.run({
		resource: 'job',
		operation: 'create',
		name: 'After expiry',
		whenDate: new Date(Date.now() + 5 * 3_600_000).toISOString(),
		duration: 60,
		location: { gps: { latitude: 40.7, longitude: -74 } },
	});
	expect(result.error).toBeUndefined();
	const posts = (await calls()).filter((c) => c.startsWith('POST /jobs'));
	expect(posts).toEqual(['POST /jobs 201', 'POST /jobs 401', 'POST /jobs 401', 'POST /jobs 201']);
	expect((await env.control('GET', '/jobs')).filter((j: { job: { name: string } }) => j.job.name === 'After expiry')).toHaveLength(1);
});

it('parallel executions whose token expired together share one refresh of the single-use refresh token', async () => {
	const jobId = await createJob(env);
	await env.control('POST', '/expire-tokens', { which: 'access' });
	const runs = await Promise.all(
		[1, 2, 3, 4].map(() => env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) })),
	);
	for (const run of runs) {
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.status).toBe('New');
	}
	const log = await calls();
	// one refresh for all four; nobody's refresh is refused, nobody logs in again
	expect(log.filter((c) => c.startsWith('GET /access/refresh'))).toEqual(['GET /access/refresh 200']);
	expect(log.filter((c) => c.startsWith('POST /access/login'))).toEqual(['POST /access/login 200']); // createJob's
	// every execution stored the same new pair
	const stored = env.credentials.get(CREDENTIAL_TYPE);
	expect(new Set(env.credentials.updates.slice(-4).map((u) => u.data.refreshToken))).toEqual(new Set([stored.refreshToken]));
});

it('parallel executions whose refresh token was revoked share one login', async () => {
	const jobId = await createJob(env);
	await env.control('POST', '/expire-tokens', { which: 'all' });
	const runs = await Promise.all(
		[1, 2, 3, 4].map(() => env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) })),
	);
	for (const run of runs) expect(run.error).toBeUndefined();
	const log = await calls();
	expect(log.filter((c) => c.startsWith('GET /access/refresh'))).toEqual(['GET /access/refresh 401']);
	expect(log.filter((c) => c.startsWith('POST /access/login'))).toEqual(['POST /access/login 200', 'POST /access/login 200']);
});

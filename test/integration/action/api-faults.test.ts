/**
 * What the sandbox's API faults do to the action node, over real HTTP through n8n-core: a
 * captive portal's 200 page, an empty 200, a body trickled past the deadline, an oversized
 * answer, a login that never answers. No fault may turn into a success that did not happen, no
 * item may wait past the deadline, no create may be sent twice. The deadlines are shortened here
 * (configureDeadlines) so that the tests take seconds, and so is the back-off between tries
 * (lab/helpers/shortBackoff.ts); the defaults are in nodes/shared/transport/limits.ts and
 * retryPolicy.ts.
 */
import { ANSWER_MAX_BYTES, configureDeadlines, LOGIN_DEADLINE_MS, REQUEST_DEADLINE_MS } from '../../../nodes/shared/transport/limits';
import { createJob, createParameters, useSandbox } from '../../../lab/helpers/action-setup';
import { useShortBackoff } from '../../../lab/helpers/shortBackoff';

const env = useSandbox();
useShortBackoff();

const failNext = (rule: Record<string, unknown>) => env.control('POST', '/fail-next', rule);
const truth = async (jobId: number) => (await env.control('GET', `/jobs/${jobId}`)) as { status: string; job: { duration: number } };
const jobsNamed = async (name: string) => ((await env.control('GET', '/jobs')) as Array<{ job: { name: string } }>).filter((j) => j.job.name === name);
const calls = async (suffix: string) => (await env.requests()).filter((r) => r.path.endsWith(suffix));

beforeEach(() => configureDeadlines({ requestMs: 1_500, loginMs: 1_000 }));
afterAll(() => configureDeadlines({ requestMs: REQUEST_DEADLINE_MS, loginMs: LOGIN_DEADLINE_MS }));

describe('a captive portal answers 200 text/html', () => {
	it('cancel fails, and the job is still New (it used to say "Canceled")', async () => {
		const jobId = await createJob(env);
		await failNext({ fault: 'html', count: 4, path: `*/jobs/${jobId}/cancel` });
		const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) });
		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe(`G2 Sentry answered something unexpected to GET /jobs/${jobId}/cancel`);
		expect(result.error?.description).toMatch(/^HTTP 200 \(text\/html; charset=utf-8\) that is not JSON, after 4 attempt\(s\)\. .*began "<!doctype html>/);
		expect((await truth(jobId)).status).toBe('New');
	});

	it('once: the cancel is sent again and reports what really happened', async () => {
		const jobId = await createJob(env);
		await failNext({ fault: 'html', path: `*/jobs/${jobId}/cancel` });
		const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) });
		expect(result.items[0].json).toMatchObject({ jobId, status: 'Canceled', code: 'SUCCESS' });
		expect((await truth(jobId)).status).toBe('Canceled');
	});

	it('after the cancel took effect: the repeat finds it canceled (answer lost)', async () => {
		const jobId = await createJob(env);
		await failNext({ fault: 'html', after: true, path: `*/jobs/${jobId}/cancel` });
		const result = await env.run({ resource: 'job', operation: 'cancel', jobId: String(jobId) });
		expect(result.items[0].json).toMatchObject({ jobId, status: 'Canceled' });
		expect((await calls(`/${jobId}/cancel`)).map((r) => r.injected ?? r.status)).toEqual(['html', 422]);
	});

	it('create fails saying the job may exist, sent once; nothing was booked', async () => {
		await failNext({ fault: 'html', path: '*/jobs', method: 'POST' });
		const result = await env.run(createParameters({ name: 'Portal create' }));
		expect(result.error?.message).toBe('G2 Sentry answered something unexpected to POST /jobs');
		expect(result.error?.description).toMatch(/The job may have been created all the same/);
		expect(await calls('/jobs')).toHaveLength(1);
		expect(await jobsNamed('Portal create')).toHaveLength(0);
	});

	it('review (a POST) fails and is not sent again', async () => {
		const jobId = await createJob(env);
		await env.control('POST', `/jobs/${jobId}/transition`, { to: 'Assigned' });
		await env.control('POST', `/jobs/${jobId}/transition`, { to: 'InProgress' });
		await env.control('POST', `/jobs/${jobId}/transition`, { to: 'Completed' });
		await failNext({ fault: 'html', path: '*/review' });
		const result = await env.run({ resource: 'job', operation: 'review', jobId: String(jobId), rate: 5 });
		expect(result.error?.message).toBe(`G2 Sentry answered something unexpected to POST /jobs/${jobId}/review`);
		expect(result.error?.description).toMatch(/may or may not have been made/);
		expect(await calls('/review')).toHaveLength(1);
	});
});

describe('an empty 200', () => {
	it('update fails instead of reporting the change', async () => {
		const jobId = await createJob(env);
		await failNext({ fault: 'empty', count: 4, path: `*/jobs/${jobId}`, method: 'PATCH' });
		const result = await env.run({ resource: 'job', operation: 'update', jobId: String(jobId), updateFields: { duration: 45 } });
		expect(result.error?.message).toBe(`G2 Sentry answered something unexpected to PATCH /jobs/${jobId}`);
		expect(result.error?.description).toMatch(/^HTTP 200 \(no content type\) with an empty body, after 4 attempt\(s\)\. .*began \(nothing\)/);
		expect((await truth(jobId)).job.duration).toBe(120);
	});
});

describe('a body trickled one byte at a time', () => {
	beforeEach(() => env.sandbox.configure({ chaos: { trickleIntervalMs: 300 } }));

	it('a read is given up at the deadline and read again', async () => {
		const jobId = await createJob(env);
		await failNext({ fault: 'trickle', path: '*/status' });
		const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) });
		expect(result.items[0].json).toEqual({ jobId, status: 'New' });
		expect((await calls('/status')).map((r) => r.injected ?? r.status)).toEqual(['trickle', 200]);
	});

	it('a create is given up at the deadline, said to be of unknown fate, never sent twice', async () => {
		await failNext({ fault: 'trickle', path: '*/jobs', method: 'POST' });
		const result = await env.run(createParameters({ name: 'Trickled create' }));
		expect(result.error?.message).toMatch(/^G2 Sentry at http:\/\/127\.0\.0\.1:\d+ did not answer within 1\.5 s$/);
		expect(result.error?.description).toMatch(/may or may not have been created\. It was NOT sent again/);
		expect(await calls('/jobs')).toHaveLength(1);
		expect(await jobsNamed('Trickled create')).toHaveLength(1);
	});
});

describe('an oversized answer', () => {
	it('is refused as unexpected and said to be cut; a read tries again', async () => {
		env.sandbox.configure({ chaos: { oversizedAnswerBytes: ANSWER_MAX_BYTES + 10 } });
		const jobId = await createJob(env);
		await failNext({ fault: 'oversized', count: 4, path: '*/status' });
		const failed = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) });
		expect(failed.error?.message).toBe(`G2 Sentry answered something unexpected to GET /jobs/${jobId}/status`);
		expect(failed.error?.description).toContain(`of more than ${ANSWER_MAX_BYTES} bytes (cut: no more was read)`);
		expect(failed.error?.description?.length).toBeLessThan(2_000);

		await failNext({ fault: 'oversized', path: '*/status' });
		const read = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) });
		expect(read.items[0].json).toEqual({ jobId, status: 'New' });
	});
});

describe('an answer that goes on for 64 MiB', () => {
	/** the sandbox's records of `huge` answers, once each connection has ended (bytesWritten set) */
	const hugeAnswers = async (suffix: string, expected: number) => {
		for (let tries = 0; ; tries++) {
			const huge = (await calls(suffix)).filter((r) => r.injected === 'huge');
			if ((huge.length === expected && huge.every((r) => r.bytesWritten !== undefined)) || tries === 50) return huge;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	};
	/**
	 * Far below the 64 MiB sent. What the sandbox counts is what it handed to the kernel, and on
	 * loopback the kernel takes a few MiB into its socket buffers whether the client reads or not
	 * (net.ipv4.tcp_wmem allows 4 MiB here: 3.75 MiB were counted every time).
	 */
	const READ_AT_MOST = 8 * 1024 * 1024;

	it('a success answer: read up to the cap, the connection closed, the item fails as cut', async () => {
		const jobId = await createJob(env);
		await failNext({ fault: 'huge', count: 4, path: '*/status' });
		const failed = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) });
		expect(failed.error?.message).toBe(`G2 Sentry answered something unexpected to GET /jobs/${jobId}/status`);
		expect(failed.error?.description).toContain(`of more than ${ANSWER_MAX_BYTES} bytes (cut: no more was read)`);
		expect(failed.error?.description).toContain('the answer began "{\\"jobId\\"');
		const huge = await hugeAnswers('/status', 4); // a read is tried again; each answer was cut
		expect(huge).toHaveLength(4);
		for (const answer of huge) {
			expect(answer.complete).toBe(false);
			expect(answer.bytesWritten).toBeGreaterThan(ANSWER_MAX_BYTES);
			expect(answer.bytesWritten).toBeLessThan(READ_AT_MOST);
		}
	});

	it('an error answer: its start is kept, the rest never read', async () => {
		await failNext({ fault: 'huge', path: '*/jobs/987654/status' });
		const failed = await env.run({ resource: 'job', operation: 'getStatus', jobId: '987654' });
		expect(failed.error?.message).toMatch(/^Job 987654 was not found/);
		const [answer] = await hugeAnswers('/987654/status', 1);
		expect(answer).toMatchObject({ status: 404, complete: false });
		expect(answer.bytesWritten).toBeLessThan(READ_AT_MOST);
	});

	it('a 401 that long is not G2 Sentry refusing the token: no re-send through n8n, the read is tried again', async () => {
		const jobId = await createJob(env);
		expect((await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) })).error).toBeUndefined();
		await env.control('POST', '/expire-tokens', { which: 'access' });
		const before = (await calls('/status')).length;
		await failNext({ fault: 'huge', path: '*/status' });
		const read = await env.run({ resource: 'job', operation: 'getStatus', jobId: String(jobId) });
		expect(read.items[0].json).toEqual({ jobId, status: 'New' });
		const [answer] = await hugeAnswers('/status', 1);
		expect(answer).toMatchObject({ status: 401, complete: false });
		expect(answer.bytesWritten).toBeLessThan(READ_AT_MOST);
		// after the cut 401: the read again (401), its re-send through n8n (401), then after the refresh 200
		expect((await calls('/status')).slice(before).map((r) => r.injected ?? r.status)).toEqual(['huge', 401, 401, 200]);
	});

	it('a login answer: read up to the cap, the login fails as not G2 Sentry', async () => {
		await failNext({ fault: 'huge', count: 2, path: '*/access/login' });
		const failed = await env.run({ resource: 'job', operation: 'getStatus', jobId: '1' });
		expect(failed.error?.message).toMatch(/answered, but not like the G2 Sentry Partner API/);
		const logins = await hugeAnswers('/access/login', 1);
		expect(logins.length).toBeGreaterThan(0);
		for (const answer of logins) expect(answer.bytesWritten).toBeLessThan(READ_AT_MOST);
	});
});

describe('a login that never answers', () => {
	it('fails the item at the login deadline instead of holding it, and the next run logs in afresh', async () => {
		env.sandbox.configure({ chaos: { hangLogin: true } });
		const first = env.run({ resource: 'job', operation: 'getStatus', jobId: '1' });
		const second = env.run({ resource: 'job', operation: 'getStatus', jobId: '2' });
		const results = await Promise.all([first, second]);
		for (const result of results) {
			expect(result.error?.message).toMatch(/did not complete the login within 1 s/);
		}
		env.sandbox.configure({ chaos: { hangLogin: false } });
		const after = await env.run({ resource: 'job', operation: 'getStatus', jobId: '999' });
		expect(after.error?.message).toMatch(/^Job 999 was not found/); // logged in, then asked
	}, 60_000);

	it('stops waiting when the execution is cancelled', async () => {
		configureDeadlines({ requestMs: 60_000, loginMs: 60_000 });
		env.sandbox.configure({ chaos: { hangLogin: true } });
		const result = await env.run({ resource: 'job', operation: 'getStatus', jobId: '1' }, undefined, { cancelAfterMs: 500 });
		expect(result.error?.message ?? '').toMatch(/cancel/i);
		env.sandbox.configure({ chaos: { hangLogin: false } });
	}, 30_000);
});

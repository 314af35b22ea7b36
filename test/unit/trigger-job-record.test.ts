/**
 * Include Job Record under a slow API: the callback is already acknowledged, so the workflow
 * must start after the deadline with `jobError`, and the abandoned lookup must stop retrying and
 * leave no timer behind. The HTTP helper is a stand-in that answers 429 with a long Retry-After;
 * everything else is the real transport.
 */
import type { IHttpRequestOptions, IWebhookFunctions } from 'n8n-workflow';

import { fetchJobRecord } from '../../nodes/G2SentryTrigger/jobRecord';

const PARTNER_SECRET = 'partner-secret-for-tests-only';
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

function contextAnswering(answer: (options: IHttpRequestOptions) => Promise<unknown>) {
	const requests: number[] = [];
	const warnings: string[] = [];
	const context = {
		getNode: () => ({ name: 'G2 Sentry Trigger', type: 'n8n-nodes-g2sentry.g2SentryTrigger' }),
		getCredentials: async () => ({
			environment: 'custom',
			// each test its own partner key, so the transport's per-key pacing does not carry over
			baseUrl: 'http://127.0.0.1:9/api/v1',
			partnerKey: `key-${Math.random()}`,
			partnerSecret: PARTNER_SECRET,
		}),
		logger: { warn: (message: string) => warnings.push(message) },
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				requests.push(Date.now());
				return await answer(options);
			},
		},
	};
	return { context: context as unknown as IWebhookFunctions, requests, warnings };
}

// n8n's answer with returnFullResponse + ignoreHttpStatusErrors, as the transport asks for it
const rateLimited = async () => ({
	statusCode: 429,
	headers: { 'retry-after': '60' },
	body: { code: 'RATE_LIMITED', message: 'Slow down' },
});

it('gives up at the deadline with jobError, stops retrying and clears its timers', async () => {
	const before = timers();
	const { context, requests, warnings } = contextAnswering(rateLimited);
	const started = Date.now();
	const result = await fetchJobRecord(context, 7, 200);
	expect(Date.now() - started).toBeLessThan(5_000);
	expect(result).toEqual({ job: null, jobError: 'G2 Sentry did not answer within 0.2 s; the event is emitted without the record' });
	await new Promise((resolve) => setTimeout(resolve, 100));
	expect(requests).toHaveLength(1); // the 60 s Retry-After wait was abandoned, not sat out
	expect(timers()).toBeLessThanOrEqual(before);
	expect(warnings).toHaveLength(1);
	expect(JSON.stringify(warnings)).not.toContain(PARTNER_SECRET);
});

it('returns the record, shaped as Job → Get outputs it, when it comes in time, and leaves no deadline timer running', async () => {
	const before = timers();
	const record = { jobId: 7, status: 'Assigned', guardian: null, job: { name: 'Gallery night', duration: 120 } };
	const { context } = contextAnswering(async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: record }));
	expect(await fetchJobRecord(context, 7, 60_000)).toEqual({
		job: { jobId: 7, status: 'Assigned', name: 'Gallery night', duration: 120, guardian: null },
	});
	expect(timers()).toBeLessThanOrEqual(before);
});

it('aborts the request in flight at the deadline (a webhook context lets the node\'s signal through)', async () => {
	let aborted = false;
	const { context } = contextAnswering(
		async (options) =>
			await new Promise((_, reject) => {
				const signal = options.abortSignal as AbortSignal;
				signal.addEventListener('abort', () => {
					aborted = true;
					reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }));
				});
			}),
	);
	const result = await fetchJobRecord(context, 7, 200);
	expect(result).toEqual({ job: null, jobError: 'G2 Sentry did not answer within 0.2 s; the event is emitted without the record' });
	expect(aborted).toBe(true);
});

/**
 * Include Job Record under a slow API: the callback is already acknowledged, so the workflow
 * must start after the deadline with `jobError`, and the abandoned lookup must stop retrying and
 * leave no timer behind. The HTTP helper is a stand-in that answers 429 with a long Retry-After;
 * everything else is the real transport.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { fetchJobRecord } from '../../nodes/G2SentryTrigger/jobRecord';

const PARTNER_SECRET = 'partner-secret-for-tests-only';
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

function contextAnswering(answer: () => Promise<unknown>) {
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
			httpRequestWithAuthentication: async () => {
				requests.push(Date.now());
				return await answer();
			},
		},
	};
	return { context: context as unknown as IWebhookFunctions, requests, warnings };
}

const rateLimited = async () => {
	throw Object.assign(new Error('Request failed with status code 429'), {
		response: { status: 429, headers: { 'retry-after': '60' }, data: { code: 'RATE_LIMITED', message: 'Slow down' } },
	});
};

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

it('returns the record when it comes in time, and leaves no deadline timer running', async () => {
	const before = timers();
	const { context } = contextAnswering(async () => ({ jobId: 7, status: 'Assigned' }));
	expect(await fetchJobRecord(context, 7, 60_000)).toEqual({ job: { jobId: 7, status: 'Assigned' } });
	expect(timers()).toBeLessThanOrEqual(before);
});

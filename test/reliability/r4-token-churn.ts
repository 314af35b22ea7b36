/**
 * R4 token churn: access tokens that live 5 s, continuous work through n8n-core from parallel
 * executions sharing one credential (as in one n8n), and halfway through every refresh token is
 * revoked, so the next refresh is refused and the credential must log in again. No item may fail.
 */
import fc from 'fast-check';
import type { INodeParameters } from 'n8n-workflow';

import { G2Sentry } from '../../nodes/G2Sentry/G2Sentry.node';
import { DEFAULT_PACING, sharedPacer as pacer } from '../../nodes/shared/transport/pacing';
import { startSandbox } from '../../lab/sandbox';
import { executeNode } from '../../lab/helpers/execute-node';
import { credentialsFor } from '../../lab/helpers/action-setup';
import { evidence, keepErrors } from './evidence';
import { report, SCALE, seedOf, timer } from './figures';
import { control } from './r3-api-faults';

const ACCESS_TTL_MS = 5_000;
const WORKERS = 2;
const PAUSE_MS = 200;

/** The length of the churn: 2 minutes at full size; CI shortens it (never below 30 s). */
export const CHURN_MS = Math.max(30_000, Math.round(120_000 * SCALE));

export function defineR4(): void {
	describe('R4 token churn', () => {
		afterAll(() => pacer.configure(DEFAULT_PACING));

		it('access tokens expiring every 5 s plus one refused refresh token: no failed item', async () => {
			const elapsed = timer();
			const sandbox = await startSandbox({ autoDispatch: false, rateLimitPerMinute: 1_000_000, accessTokenTtlMs: ACCESS_TTL_MS });
			evidence.sandboxes.push(sandbox);
			pacer.configure({ requests: 1_000_000, windowMs: 60_000 });
			// Rate limits are not this figure's subject: the sandbox's is lifted, and so is the
			// credential's own Requests per Minute (60 by default), which would otherwise spend the
			// first minute's budget at once and leave the churn waiting for the next minute.
			const credentials = credentialsFor(sandbox.baseUrl, { partnerKey: sandbox.partner.partnerKey, partnerSecret: sandbox.partner.partnerSecret, requestsPerMinute: '' });
			const created = await executeNode({
				nodeType: new G2Sentry(),
				credentials,
				parameters: {
					resource: 'job',
					operation: 'create',
					name: 'R4 churn',
					whenDate: new Date(Date.now() + 48 * 3_600_000).toISOString(),
					duration: 60,
					location: { address: { address1: '5 Token Rd', city: 'Albany', state: 'NY', zip: '12207' } },
				},
			});
			if (created.error) throw created.error;
			const jobId = created.items[0].json.jobId as number;
			// what each execution does: a generated mix of reads and updates, 4 items each
			const kinds = fc.sample(fc.array(fc.constantFrom('getStatus', 'get', 'update'), { minLength: 4, maxLength: 4 }), { seed: seedOf('R4'), numRuns: 5_000 });
			const params = (kind: string, i: number): INodeParameters =>
				kind === 'update'
					? { resource: 'job', operation: 'update', jobId: String(jobId), updateFields: { duration: `={{ 30 + ${i % 50} }}` } }
					: { resource: 'job', operation: kind, jobId: String(jobId) };

			const tally = { executions: 0, items: 0, failed: 0 };
			const failures: string[] = [];
			const started = Date.now();
			let revokedAt = 0;
			const revoke = (async () => {
				await new Promise((resolve) => setTimeout(resolve, CHURN_MS / 2));
				revokedAt = Date.now();
				await control(sandbox, 'POST', '/expire-tokens', { which: 'refresh' });
			})();
			let n = 0;
			await Promise.all(
				Array.from({ length: WORKERS }, async () => {
					while (Date.now() - started < CHURN_MS) {
						const batch = kinds[n++ % kinds.length];
						const results = await Promise.all(batch.map((kind, i) => executeNode({ nodeType: new G2Sentry(), credentials, parameters: params(kind, n + i) })));
						// a breath between batches: continuous work, but the sandbox's request log
						// (10,000 entries) must hold the whole run at full size
						await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
						for (const result of results) {
							keepErrors(result);
							tally.executions++;
							tally.items++;
							if (result.error || result.items.length !== 1) { tally.failed++; failures.push(String(result.error?.message)); }
						}
					}
				}),
			);
			await revoke;
			const log = (await control(sandbox, 'GET', '/requests')) as Array<{ method: string; path: string; status: number | null; time: string }>;
			const calls = (path: string, status: number) => log.filter((r) => r.path === `/api/v1/access/${path}` && r.status === status);
			const logins = calls('login', 200).length;
			const refreshes = calls('refresh', 200).length;
			const refusedRefreshes = calls('refresh', 401);
			const loginsAfterRevocation = calls('login', 200).filter((r) => Date.parse(r.time) >= revokedAt).length;
			const expired401 = log.filter((r) => r.status === 401 && !r.path.includes('/access/')).length;
			const churnS = ((Date.now() - started) / 1000).toFixed(0);
			const pass = tally.failed === 0 && tally.items > 0 && refreshes > 0 && refusedRefreshes.length >= 1 && loginsAfterRevocation >= 1 && log.length < 10_000;
			report({
				id: 'R4',
				title: 'token churn',
				target: `access tokens expiring every ${ACCESS_TTL_MS / 1000} s for ${CHURN_MS / 1000} s of continuous work, plus a refused refresh token: 0 failed items`,
				result: `${churnS} s of work, ${tally.items} items in ${tally.executions} executions (${WORKERS}×4 at a time): ${tally.failed} failed; ${logins} logins (${loginsAfterRevocation} after the refresh tokens were revoked), ${refreshes} refreshes, ${refusedRefreshes.length} refused refreshes, ${expired401} requests answered 401 (expired token) and repeated`,
				pass,
				size: `${churnS} s`,
				durationMs: elapsed(),
			});
			if (!pass) throw new Error(`R4 missed its target: ${failures.slice(0, 5).join(' | ')}`);
		});
	});
}

/**
 * R3 API faults: generated operations, each with up to two injected faults on its own request
 * path (429, 500, 503, dropped connection, answer lost after the change was made, slow answer, a
 * captive portal's 200 page before or after the change, an empty 200, an answer trickled past
 * the deadline, an oversized answer, a 64 MiB one) or on its login (one that never answers), run through
 * n8n-core against the sandbox. Reads must never be lost, a create never duplicated
 * (jobs counted in the sandbox), and every failure that reaches the user must say why.
 */
import fc from 'fast-check';
import type { INodeParameters } from 'n8n-workflow';

import { G2Sentry } from '../../nodes/G2Sentry/G2Sentry.node';
import { DEFAULT_PACING, sharedPacer as pacer } from '../../nodes/shared/transport/pacing';
import { configureDeadlines, LOGIN_DEADLINE_MS, REQUEST_DEADLINE_MS } from '../../nodes/shared/transport/limits';
import { startSandbox, type Sandbox } from '../../lab/sandbox';
import { executeNode } from '../../lab/helpers/execute-node';
import { http, jsonUnlessGet } from '../../lab/helpers/sandboxClient';
import { credentialsFor } from '../../lab/helpers/action-setup';
import { evidence, keepErrors } from './evidence';
import { report, seedOf, sized, timer } from './figures';
import { pool } from './http-send';

const FAULTS = ['429', '500', '503', 'drop', 'lost-answer', 'slow', 'html', 'html-after', 'empty', 'trickle', 'oversized', 'huge', 'hang-login'] as const;
type Fault = (typeof FAULTS)[number];
const KINDS = ['create', 'get', 'getStatus', 'update', 'cancel'] as const;
type Kind = (typeof KINDS)[number];

const RULES: Record<Fault, object> = {
	'429': { status: 429, retryAfterSeconds: 1 },
	'500': { status: 500 },
	'503': { status: 503 },
	drop: { drop: true },
	'lost-answer': { drop: true, after: true },
	slow: { delayMs: 1_500 },
	html: { fault: 'html' },
	'html-after': { fault: 'html', after: true },
	empty: { fault: 'empty' },
	trickle: { fault: 'trickle' },
	oversized: { fault: 'oversized' },
	// a 64 MiB answer: read only up to the cap, the connection closed
	huge: { fault: 'huge' },
	// armed on the login path; the operation runs with credentials that hold no token yet
	'hang-login': { fault: 'hang' },
};

/**
 * Deadlines shortened so that a trickled answer (one byte every 500 ms) or a hung login costs
 * seconds, not the defaults' tens of seconds; still well above a slow (1.5 s) answer.
 */
const R3_DEADLINES = { requestMs: 4_000, loginMs: 1_500 };

const operation = fc.record({
	kind: fc.constantFrom<Kind>(...KINDS),
	faults: fc.array(fc.constantFrom<Fault>(...FAULTS), { maxLength: 2 }),
});

/** A failure the user can act on names its cause. */
const SAYS_WHY = /HTTP \d{3}|may or may not|rate-limit|Could not reach|connection|network/i;

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const jobBody = (name: string) => ({
	name,
	whenDate: inHours(48),
	duration: 120,
	location: { address: { address1: '1 Fault St', city: 'Albany', state: 'NY', zip: '12207' } },
});

export async function control(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<any> {
	const res = await http(`${sandbox.controlUrl}${path}`, { method, body, headers: jsonUnlessGet(method) });
	if (res.status >= 400) throw new Error(`control ${method} ${path}: ${res.status} ${res.text}`);
	return res.body;
}

/** Jobs created straight through the Partner API (no faults armed yet). */
async function createJobs(sandbox: Sandbox, count: number, prefix: string): Promise<number[]> {
	const login = await http(`${sandbox.baseUrl}/access/login`, { method: 'POST', body: sandbox.partner });
	const auth = { authorization: `Bearer ${login.body.accessToken}` };
	return await pool(Array.from({ length: count }, (_, i) => i), 8, async (i) => {
		const res = await http(`${sandbox.baseUrl}/jobs`, { method: 'POST', body: jobBody(`${prefix} ${i}`), headers: auth });
		return res.body.jobId as number;
	});
}

export function defineR3(): void {
	describe('R3 API faults', () => {
		let sandbox: Sandbox;
		beforeAll(async () => {
			sandbox = await startSandbox({ autoDispatch: false, rateLimitPerMinute: 1_000_000 });
			evidence.sandboxes.push(sandbox);
			// the figure is about faults, not pacing: the node's budget is lifted like the server's
			pacer.configure({ requests: 1_000_000, windowMs: 60_000 });
			configureDeadlines(R3_DEADLINES);
			sandbox.configure({ chaos: { trickleIntervalMs: 500 } });
		});
		afterAll(() => {
			pacer.configure(DEFAULT_PACING);
			configureDeadlines({ requestMs: REQUEST_DEADLINE_MS, loginMs: LOGIN_DEADLINE_MS });
		});

		it('no lost read, no duplicate create, every surfaced failure says why', async () => {
			const elapsed = timer();
			const numRuns = sized(500, 50);
			const ops = fc.sample(operation, { seed: seedOf('R3'), numRuns });
			const jobIds = await createJobs(sandbox, ops.filter((o) => o.kind !== 'create').length, 'R3 pool');
			const credentials = credentialsFor(sandbox.baseUrl, { partnerKey: sandbox.partner.partnerKey, partnerSecret: sandbox.partner.partnerSecret });
			const loggedOut = () => credentialsFor(sandbox.baseUrl, { partnerKey: sandbox.partner.partnerKey, partnerSecret: sandbox.partner.partnerSecret });
			const run = async (parameters: INodeParameters, faults: Fault[] = []) => {
				const result = await executeNode({ nodeType: new G2Sentry(), parameters, credentials: faults.includes('hang-login') ? loggedOut() : credentials });
				keepErrors(result);
				return result;
			};
			const tally = { faults: 0, reads: 0, lostReads: 0, wrongReads: 0, writes: 0, failedWrites: 0, creates: 0, createsOk: 0, createsRefused: 0, duplicateCreates: 0, unexplained: 0 };
			const problems: string[] = [];
			const explain = (what: string, error: { message?: string; description?: string | null } | undefined) => {
				const text = `${error?.message ?? ''} ${error?.description ?? ''}`;
				if (!SAYS_WHY.test(text)) { tally.unexplained++; problems.push(`${what}: unexplained "${text.slice(0, 200)}"`); }
			};
			const arm = async (faults: Fault[], path: string, method: string) => {
				tally.faults += faults.length;
				for (const fault of faults) {
					const where = fault === 'hang-login' ? { path: '/api/v1/access/login', method: 'POST' } : { path, method };
					await control(sandbox, 'POST', '/fail-next', { count: 1, ...where, ...RULES[fault] });
				}
			};

			// everything but creates has a job (and so a request path) of its own and runs 16 at a
			// time; creates share the path /jobs, so they run afterwards, one after another
			const creates = ops.map((o, i) => ({ ...o, i })).filter((o) => o.kind === 'create');
			const others = ops.filter((o) => o.kind !== 'create').map((o, i) => ({ ...o, jobId: jobIds[i] }));
			const createLane = async () => {
				for (const op of creates) {
					const name = `R3 create ${op.i}`;
					await arm(op.faults, '/api/v1/jobs', 'POST');
					const result = await run({ resource: 'job', operation: 'create', ...jobBody(name), location: jobBody(name).location }, op.faults);
					await control(sandbox, 'DELETE', '/fail-next'); // a rule the node never reached must not hit the next create
					tally.creates++;
					const stored = ((await control(sandbox, 'GET', '/jobs')) as Array<{ jobId: number; job: { name: string } }>).filter((j) => j.job.name === name);
					if (stored.length > 1) { tally.duplicateCreates++; problems.push(`${name} [${op.faults}]: ${stored.length} jobs`); }
					if (result.error) {
						tally.createsRefused++;
						explain(`${name} [${op.faults}]`, result.error as never);
						// only a fault that may have reached G2 Sentry can explain a refused create
						if (!op.faults.some((f) => f !== '429' && f !== 'slow' && f !== 'hang-login')) problems.push(`${name} [${op.faults}] failed: ${result.error.message}`);
					} else {
						tally.createsOk++;
						if (stored.length !== 1 || stored[0].jobId !== result.items[0].json.jobId) problems.push(`${name} [${op.faults}]: answered ${result.items[0].json.jobId}, stored ${stored.map((j) => j.jobId)}`);
					}
				}
			};
			await pool(others, 16, async (op, index) => {
				const base = `/api/v1/jobs/${op.jobId}`;
				const duration = 30 + (index % 200);
				const plan: Record<Exclude<Kind, 'create'>, [string, string, INodeParameters]> = {
					get: [`${base}`, 'GET', { resource: 'job', operation: 'get', jobId: String(op.jobId) }],
					getStatus: [`${base}/status`, 'GET', { resource: 'job', operation: 'getStatus', jobId: String(op.jobId) }],
					update: [`${base}`, 'PATCH', { resource: 'job', operation: 'update', jobId: String(op.jobId), updateFields: { duration } }],
					// a cancel whose answer is lost is R3c's case; here its faults come before processing
					cancel: [`${base}/cancel`, 'GET', { resource: 'job', operation: 'cancel', jobId: String(op.jobId) }],
				};
				const kind = op.kind as Exclude<Kind, 'create'>;
				// a hung login is the create lane's case: creates run one at a time, while these share
				// one login path (a rule armed for one would hang another's login)
				const faults = op.faults.filter((f) => f !== 'hang-login' && (kind !== 'cancel' || f !== 'lost-answer'));
				const [path, method, parameters] = plan[kind];
				await arm(faults, path, method);
				const result = await run(parameters, faults);
				const truth = await control(sandbox, 'GET', `/jobs/${op.jobId}`);
				const what = `${kind} ${op.jobId} [${faults}]`;
				if (kind === 'get' || kind === 'getStatus') {
					tally.reads++;
					if (result.error) { tally.lostReads++; problems.push(`${what}: ${result.error.message}`); explain(what, result.error as never); }
					else if (result.items[0].json.status !== truth.status || result.items[0].json.jobId !== op.jobId) { tally.wrongReads++; problems.push(`${what}: read ${JSON.stringify(result.items[0].json).slice(0, 120)}`); }
				} else {
					tally.writes++;
					const applied = kind === 'update' ? truth.job.duration === duration : truth.status === 'Canceled';
					if (result.error) { tally.failedWrites++; problems.push(`${what}: ${result.error.message}`); explain(what, result.error as never); }
					else if (!applied) { tally.failedWrites++; problems.push(`${what}: reported done, sandbox has ${truth.status}/${truth.job.duration}`); }
				}
			});
			await createLane();
			const requests = (await control(sandbox, 'GET', '/requests')) as Array<{ injected?: string }>;
			const injected = requests.filter((r) => r.injected).length;
			const kinds = Object.entries(
				requests.reduce<Record<string, number>>((counts, r) => (r.injected ? { ...counts, [r.injected]: (counts[r.injected] ?? 0) + 1 } : counts), {}),
			)
				.map(([kind, n]) => `${kind}×${n}`)
				.join(', ');
			const pass =
				ops.length >= numRuns && tally.lostReads === 0 && tally.wrongReads === 0 && tally.failedWrites === 0 && tally.duplicateCreates === 0 && tally.unexplained === 0 && problems.length === 0;
			report({
				id: 'R3',
				title: 'API faults',
				target: `≥${numRuns} operations with injected 429/500/503/drops/lost answers/slow answers/portal pages/empty 200s/trickled, oversized and 64 MiB answers/hung logins: 0 lost reads, 0 duplicate creates, every surfaced failure says why`,
				result: `${ops.length} operations, ${tally.faults} faults armed (${injected} injected: ${kinds}): ${tally.reads} reads (${tally.lostReads} lost, ${tally.wrongReads} wrong), ${tally.writes} updates/cancels (${tally.failedWrites} failed), ${tally.creates} creates (${tally.createsOk} ok, ${tally.createsRefused} refused with a reason, ${tally.duplicateCreates} duplicated), ${tally.unexplained} failures without a reason`,
				pass,
				size: `${ops.length} operations`,
				durationMs: elapsed(),
			});
			if (!pass) throw new Error(`R3 missed its target:\n${problems.slice(0, 10).join('\n')}`);
		});

		it('R3c: a Cancel whose first answer was lost and whose retry finds the job already canceled reports success', async () => {
			const elapsed = timer();
			const runs = sized(20, 5);
			const jobIds = await createJobs(sandbox, runs, 'R3c');
			const credentials = credentialsFor(sandbox.baseUrl, { partnerKey: sandbox.partner.partnerKey, partnerSecret: sandbox.partner.partnerSecret });
			const outcomes: string[] = [];
			for (const jobId of jobIds) {
				await control(sandbox, 'POST', '/fail-next', { count: 1, drop: true, after: true, path: `/api/v1/jobs/${jobId}/cancel` });
				const result = await executeNode({ nodeType: new G2Sentry(), parameters: { resource: 'job', operation: 'cancel', jobId: String(jobId) }, credentials });
				keepErrors(result);
				const truth = await control(sandbox, 'GET', `/jobs/${jobId}`);
				const cancels = ((await control(sandbox, 'GET', '/requests')) as Array<{ path: string; status: number | null; injected?: string }>).filter((r) => r.path.endsWith(`/${jobId}/cancel`));
				const ok = !result.error && result.items[0]?.json.status === 'Canceled' && truth.status === 'Canceled' && cancels.length === 2 && cancels[1].status === 422;
				outcomes.push(ok ? 'success' : `${result.error?.message ?? JSON.stringify(result.items[0]?.json)} (requests: ${cancels.map((r) => r.injected ?? r.status)})`);
			}
			const failed = outcomes.filter((o) => o !== 'success');
			const pass = failed.length === 0;
			report({
				id: 'R3c',
				title: 'cancel after a lost answer',
				target: 'a Cancel whose answer was lost and whose retry gets "already canceled" (422) reports success',
				result: `${runs} cancels, each answer lost after the job was canceled: ${runs - failed.length} reported success, ${failed.length} reported a failure${failed[0] ? ` (e.g. "${failed[0].slice(0, 160)}")` : ''}`,
				pass,
				size: `${runs} cancels`,
				durationMs: elapsed(),
			});
			expect(failed).toEqual([]);
		});
	});
}

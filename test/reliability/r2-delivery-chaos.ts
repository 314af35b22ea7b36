/**
 * R2 delivery chaos: jobs booked in the sandbox, moved by its simulated Guardians (withdrawals
 * and re-assignments included, some jobs canceled), callbacks duplicated and shuffled, a flaky
 * proxy in front of the real n8n forcing the vendor's retries. What the workflow emitted is then
 * compared with the sandbox's record of every distinct event and every job's final status.
 */
import fc from 'fast-check';

import { nodeOutput, readExecutions } from '../../lab/helpers/harness';
import { http } from '../../lab/helpers/sandboxClient';
import { report, seedOf, sized, timer } from './figures';
import { startFlakyProxy, type FlakyProxy, type ProxyDecision } from './flaky-proxy';
import { pool } from './http-send';
import { control } from './r3-api-faults';
import { sharedN8n, TRIGGER_NAME, WORKFLOWS } from './shared-n8n';

interface Attempt {
	deliveryId: number;
	jobId: number;
	eventType: string;
	body: string;
	duplicate: boolean;
	outcome: string;
}

/** How long the sandbox waits for n8n's answer to one delivery attempt. */
const DELIVERY_TIMEOUT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

/** The status a job's emitted events add up to (the payload's status is the truth, not arrival order). */
export function statusFromEvents(events: Array<{ eventType: string; jobStatus: string }>): string {
	const has = (type: string, status?: string) => events.some((e) => e.eventType === type && (status === undefined || e.jobStatus === status));
	if (has('JobWithdrawed', 'Canceled')) return 'Canceled';
	if (has('JobCompleted')) return 'Completed';
	if (has('JobStarted')) return 'InProgress';
	const assigned = events.filter((e) => e.eventType === 'JobAssigned').length;
	const withdrawn = events.filter((e) => e.eventType === 'JobWithdrawed' && e.jobStatus === 'New').length;
	return assigned > withdrawn ? 'Assigned' : 'New';
}

/** What n8n was sent for each job named in `problems`, in arrival order, and what it answered. */
function timelines(problems: string[], proxy: FlakyProxy): string {
	const jobs = new Set(problems.slice(0, 5).map((p) => Number(/^job (\d+)/.exec(p)?.[1])));
	const start = proxy.log[0]?.at ?? 0;
	return [...jobs]
		.map((jobId) => {
			const lines = proxy.log
				.map((r) => ({ r, body: JSON.parse(r.body) as { jobId: number; eventType: string; jobStatus: string; guardianPhone?: string } }))
				.filter(({ body }) => body.jobId === jobId)
				.map(({ r, body }) => `  +${r.at - start} ms ${body.eventType}/${body.jobStatus} phone …${String(body.guardianPhone ?? '-').slice(-4)}: ${r.decision}${r.answer ? ` → ${r.answer}` : ''}`);
			return `job ${jobId} as n8n was sent it:\n${lines.join('\n')}`;
		})
		.join('\n');
}

export function defineR2(): void {
	describe('R2 delivery chaos', () => {
		it('real n8n: each distinct event emitted exactly once, final status per job = the sandbox', async () => {
			const env = await sharedN8n();
			const { sandbox } = env;
			const elapsed = timer();
			const jobCount = sized(200, 20);
			const seed = seedOf('R2');
			const decisions = fc.sample(
				fc.integer({ min: 0, max: 9 }).map((n): ProxyDecision => (n === 0 ? 'unavailable' : n === 1 ? 'lose-answer' : 'forward')),
				{ seed, numRuns: 50_000 },
			);
			const plan = fc.sample(fc.record({ cancelAfterMs: fc.integer({ min: 0, max: 600 }), chance: fc.integer({ min: 0, max: 99 }) }), { seed: seed ^ 1, numRuns: jobCount });
			const proxy = await startFlakyProxy(env.urls.chaos, decisions);
			sandbox.configure({
				callbackUrl: proxy.url,
				timeScale: 60, // retries over ~73 s: a busy n8n that stalls for a while must not make the vendor give up
				variants: { cancelFiresWithdrawed: true },
				chaos: { duplicateDeliveries: 0.5, shuffleDeliveries: true, shuffleWindowMs: 300, withdrawRate: 0.3, seed: Math.abs(seed) % 2 ** 31 },
			});
			sandbox.configure({ autoDispatch: true, deliveryTimeoutMs: DELIVERY_TIMEOUT_MS });
			const login = await http(`${sandbox.baseUrl}/access/login`, { method: 'POST', body: sandbox.partner });
			const auth = { authorization: `Bearer ${login.body.accessToken}` };
			const jobIds: number[] = [];
			try {
				// booked one at a time, about one a second, some canceled shortly after (fires
				// JobWithdrawed/Canceled). Each job brings about five deliveries: faster than that, one n8n
				// on SQLite on a 2-core machine (an expression isolate per webhook request with n8n's
				// default engine) falls behind, its database writes time out, and it loses runs it had
				// already answered for (README, Known limits). That is n8n's capacity, not this figure.
				await pool(plan, 1, async (p, i) => {
					const created = await http(`${sandbox.baseUrl}/jobs`, {
						method: 'POST',
						headers: auth,
						body: { name: `R2 job ${i}`, whenDate: inHours(30), duration: 60, location: { address: { address1: '2 Chaos Ave', city: 'Albany', state: 'NY', zip: '12207' } } },
					});
					jobIds.push(created.body.jobId);
					if (p.chance < 15) {
						await sleep(p.cancelAfterMs);
						await http(`${sandbox.baseUrl}/jobs/${created.body.jobId}/cancel`, { headers: auth });
					}
					await sleep(1_000);
				});
				const mine = new Set(jobIds);
				// done when every job is final and every delivery either arrived or was given up, and
				// still so after the sandbox's delivery timeout: an attempt shows in the list only once
				// it is answered (or timed out), and a job's last event first waits in the shuffle window,
				// so a single look can miss an event that is on its way
				let attempts: Attempt[] = [];
				const deadline = Date.now() + 15 * 60_000;
				const steadyPolls = Math.ceil((DELIVERY_TIMEOUT_MS + 1_000) / 1_000) + 1;
				for (let settled = 0, seen = -1; settled < steadyPolls; ) {
					const jobs = ((await control(sandbox, 'GET', '/jobs')) as Array<{ jobId: number; status: string }>).filter((j) => mine.has(j.jobId));
					attempts = ((await control(sandbox, 'GET', '/deliveries')) as Attempt[]).filter((a) => mine.has(a.jobId));
					const open = new Set(attempts.map((a) => a.deliveryId));
					for (const a of attempts) if (!a.duplicate && (a.outcome === 'delivered' || a.outcome === 'given-up')) open.delete(a.deliveryId);
					const done = jobs.every((j) => j.status === 'Completed' || j.status === 'Canceled') && open.size === 0;
					settled = done && (settled === 0 || attempts.length === seen) ? settled + 1 : 0;
					seen = attempts.length;
					if (Date.now() > deadline) throw new Error(`R2: still open after 15 min: ${open.size} deliveries`);
					if (settled < steadyPolls) await sleep(1_000);
				}
				const jobs = ((await control(sandbox, 'GET', '/jobs')) as Array<{ jobId: number; status: string }>).filter((j) => mine.has(j.jobId));
				// let the last duplicates land and n8n finish what it started
				// (bounded: an execution n8n failed to start stays "new" for ever; it counts as failed below)
				let executions = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, WORKFLOWS.chaos.id);
				const settleBy = Date.now() + 3 * 60_000;
				for (let stable = 0; stable < 3 && Date.now() < settleBy; ) {
					await sleep(1_000);
					const now = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, WORKFLOWS.chaos.id);
					stable = now.length === executions.length && now.every((e) => e.status !== 'running' && e.status !== 'new') ? stable + 1 : 0;
					executions = now;
				}

				// truth: one distinct event per deliveryId
				const truth = new Map<number, Array<{ eventType: string; jobStatus: string }>>();
				const seenDelivery = new Set<number>();
				for (const a of attempts) {
					if (seenDelivery.has(a.deliveryId)) continue;
					seenDelivery.add(a.deliveryId);
					const body = JSON.parse(a.body) as { eventType: string; jobStatus: string };
					truth.set(a.jobId, [...(truth.get(a.jobId) ?? []), { eventType: body.eventType, jobStatus: body.jobStatus }]);
				}
				const givenUp = new Set(attempts.filter((a) => a.outcome === 'given-up').map((a) => a.deliveryId)).size;
				const emitted = new Map<number, Array<{ eventType: string; jobStatus: string; possibleRepeat: boolean }>>();
				const failedExecutions = executions.filter((e) => e.status !== 'success').length;
				for (const e of executions) {
					for (const item of nodeOutput(e, TRIGGER_NAME)) {
						const { jobId, eventType, jobStatus, possibleRepeat } = item.json as { jobId: number; eventType: string; jobStatus: string; possibleRepeat: boolean };
						if (mine.has(jobId)) emitted.set(jobId, [...(emitted.get(jobId) ?? []), { eventType, jobStatus, possibleRepeat }]);
					}
				}
				const key = (e: { eventType: string; jobStatus: string }) => `${e.eventType}/${e.jobStatus}`;
				let missing = 0;
				// items beyond the real events: marked possibleRepeat (identical to an earlier event of
				// the job, which the contract cannot tell from a late retry: README "Known limits"), or not
				let markedExtra = 0;
				let extra = 0;
				let markedReal = 0;
				const problems: string[] = [];
				let statusMismatches = 0;
				for (const job of jobs) {
					const want = (truth.get(job.jobId) ?? []).map(key);
					const got = emitted.get(job.jobId) ?? [];
					const left = [...got];
					for (const w of want) {
						// a real event is matched by an unmarked item first: the marked copies are the extras
						const at = [left.findIndex((g) => key(g) === w && !g.possibleRepeat), left.findIndex((g) => key(g) === w)].find((i) => i >= 0) ?? -1;
						if (at >= 0) markedReal += left.splice(at, 1)[0].possibleRepeat ? 1 : 0;
						else { missing++; problems.push(`job ${job.jobId}: ${w} not emitted`); }
					}
					for (const x of left) {
						if (x.possibleRepeat) markedExtra++;
						else { extra++; problems.push(`job ${job.jobId}: ${key(x)} emitted twice or never sent, not marked possibleRepeat`); }
					}
					const derived = statusFromEvents(emitted.get(job.jobId) ?? []);
					if (derived !== job.status) { statusMismatches++; problems.push(`job ${job.jobId}: output says ${derived}, sandbox ${job.status}`); }
				}
				const distinct = seenDelivery.size;
				const copies = [...proxy.forwardedBodies.values()];
				const withdrawals = [...truth.values()].flat().filter((e) => e.eventType === 'JobWithdrawed' && e.jobStatus === 'New').length;
				const reassigned = [...truth.values()].filter((events) => events.filter((e) => e.eventType === 'JobAssigned').length > 1).length;
				const finals = jobs.reduce<Record<string, number>>((acc, j) => ((acc[j.status] = (acc[j.status] ?? 0) + 1), acc), {});
				const pass = jobs.length >= jobCount && missing === 0 && extra === 0 && statusMismatches === 0 && givenUp === 0 && failedExecutions === 0;
				report({
					id: 'R2',
					title: 'delivery chaos in a real n8n',
					target: `≥${jobCount} jobs, callbacks delivered 1–3 times, shuffled, receiver failures, withdrawals/re-assignments: each distinct event emitted, none twice unless marked possibleRepeat (payload identical to an earlier event of the job), final status per job = sandbox`,
					result:
						`${jobs.length} jobs (${Object.entries(finals).map(([s, n]) => `${n} ${s}`).join(', ')}; ${withdrawals} withdrawals, ${reassigned} jobs re-assigned), ${distinct} distinct events, ` +
						`${attempts.length} delivery attempts (${attempts.filter((a) => a.duplicate).length} duplicates; proxy: ${proxy.counts.unavailable} answered 503, ${proxy.counts['lose-answer']} answers lost), ` +
						`copies reaching n8n per event ${Math.min(...copies)}–${Math.max(...copies)} (avg ${(copies.reduce((a, b) => a + b, 0) / copies.length).toFixed(2)}): ` +
						`${missing} events missing, ${extra} emitted twice unmarked; ${markedExtra} extra items marked possibleRepeat (identical to an earlier event of the job) and ${markedReal} real events marked so; ${statusMismatches} final-status mismatches, ${givenUp} deliveries given up, ${failedExecutions} failed executions`,
					pass,
					size: `${jobs.length} jobs`,
					durationMs: elapsed(),
				});
				if (!pass) throw new Error(`R2 missed its target:\n${problems.slice(0, 15).join('\n')}\n${timelines(problems, proxy)}`);
			} finally {
				sandbox.configure({ autoDispatch: false, callbackUrl: null, chaos: { duplicateDeliveries: false, shuffleDeliveries: false, withdrawRate: 0 } });
				await proxy.close();
			}
		});
	});
}

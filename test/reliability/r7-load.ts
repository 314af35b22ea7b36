/**
 * R7 load: a burst of concurrent signed deliveries (distinct events) over loopback into the
 * shared real n8n: every one answered, each event run exactly once, n8n's memory back near its
 * baseline afterwards. The ack latency is reported, not asserted (the machine is shared). Then
 * the same burst into n8n's own plain Webhook node (R7w), side by side: what n8n itself costs.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

import { nodeOutput, readExecutions } from '../../lab/helpers/harness';
import { percentile, report, sized, timer } from './figures';
import { CURRENT } from './forgery-cases';
import { inspectorOf } from './inspector';
import { PLAIN_WEBHOOK_NAME, sharedN8n, TRIGGER_NAME, WORKFLOWS, type SharedN8n } from './shared-n8n';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
	return kb / 1024;
}

const median = (values: number[]) => percentile(values, 50);

/**
 * "Near the baseline": what must not happen is that the burst leaves its weight behind (the runs'
 * data held in memory). That is the heap still in use after a full garbage collection: it must
 * come back to within max(32 MB, 15%) of the idle baseline's, within 90 s of the last execution.
 * Resident memory is reported beside it, not judged: V8 and malloc keep what they grew into (n8n's
 * default expression engine builds an isolate per webhook request) long after it is free.
 */
export const nearBaseline = (baseline: number) => baseline + Math.max(32, baseline * 0.15);

interface Burst {
	url: string;
	/** first job id of the burst (distinct per burst, so runs are told apart) */
	firstJobId: number;
	/** the node whose items name the job ids that ran */
	node: string;
	jobIdOf: (json: Record<string, unknown>) => number;
	/** a 200 that means "taken" (the trigger says accepted; the plain Webhook only answers 200) */
	accepted: (reply: { status: number; text: string }) => boolean;
}

interface BurstFigures {
	count: number;
	answered: number;
	accepted: number;
	statuses: Record<string, number>;
	lost: number;
	twice: number;
	failed: number;
	burstMs: number;
	runsDoneMs: number;
	acks: number[];
	baseline: number;
	peak: number;
	after: number;
	heapBaseline: number;
	heapAfter: number;
	limit: number;
}

/** One burst of `count` concurrent signed deliveries into `burst.url`, with n8n's memory watched. */
async function measureBurst(env: SharedN8n, pid: number, count: number, burst: Burst): Promise<BurstFigures> {
	const workflowId = WORKFLOWS.load.id;
	const before = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, workflowId).length;
	// baseline: n8n idle, warmed up by the figures before this one
	const inspector = await inspectorOf(pid, env.n8n.logFile);
	try {
		await sleep(5_000);
		const baselineSamples: number[] = [];
		for (let i = 0; i < 5; i++, await sleep(1_000)) baselineSamples.push(rssMb(pid));
		const baseline = median(baselineSamples);
		const heapBaseline = await inspector.heapAfterGcMb();

		let peak = baseline;
		const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 250);
		const agent = new http.Agent({ keepAlive: false, maxSockets: count });
		const bodies = Array.from({ length: count }, (_, i) =>
			Buffer.from(JSON.stringify({ jobId: burst.firstJobId + i, eventType: 'JobAssigned', jobName: `R7 burst ${i}`, jobStatus: 'Assigned' })),
		);
		const started = timer();
		const replies = await Promise.all(bodies.map((body) => post(burst.url, body, agent)));
		const burstMs = started();
		agent.destroy();
		// answered: any HTTP answer (a 503 from a swamped n8n is an answer: the vendor retries it);
		// lost: accepted, yet never run
		const answered = replies.filter((r) => r.status > 0).length;
		const acceptedIds = new Set(replies.flatMap((r, i) => (burst.accepted(r) ? [burst.firstJobId + i] : [])));
		// every run recorded, then memory watched until it settles near the baseline
		const deadline = Date.now() + 5 * 60_000;
		let executions = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, workflowId);
		// (only this burst's runs: one an earlier figure left unfinished must not hold this up)
		while ((executions.length - before < count || executions.slice(before).some((e) => e.status === 'running' || e.status === 'new')) && Date.now() < deadline) {
			await sleep(1_000);
			executions = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, workflowId);
		}
		const runsDoneMs = started();
		await sleep(3_000);
		executions = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, workflowId).slice(before);
		clearInterval(sampler);
		const limit = nearBaseline(heapBaseline);
		let heapAfter = await inspector.heapAfterGcMb();
		const settleBy = Date.now() + 90_000;
		while (heapAfter > limit && Date.now() < settleBy) {
			await sleep(2_000);
			heapAfter = await inspector.heapAfterGcMb();
		}
		const jobIds = executions.flatMap((e) => nodeOutput(e, burst.node).map((item) => burst.jobIdOf(item.json)));
		const ran = new Set(jobIds);
		return {
			count,
			answered,
			accepted: acceptedIds.size,
			statuses: replies.reduce<Record<string, number>>((acc, r) => ((acc[r.status || 'no answer'] = (acc[r.status || 'no answer'] ?? 0) + 1), acc), {}),
			lost: [...acceptedIds].filter((id) => !ran.has(id)).length,
			twice: jobIds.length - ran.size,
			failed: executions.filter((e) => e.status !== 'success').length,
			burstMs,
			runsDoneMs,
			acks: replies.map((r) => r.ms),
			baseline,
			peak,
			after: rssMb(pid),
			heapBaseline,
			heapAfter,
			limit,
		};
	} finally {
		inspector.close();
	}
}

function post(url: string, body: Buffer, agent: http.Agent): Promise<{ status: number; text: string; ms: number }> {
	return new Promise((resolve) => {
		const started = performance.now();
		const req = http.request(url, {
			method: 'POST',
			agent,
			timeout: 120_000,
			headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-signature': createHmac('sha256', CURRENT).update(body).digest('hex') },
		});
		req.on('response', (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (error) => resolve({ status: 0, text: String(error), ms: performance.now() - started }));
		req.end(body);
	});
}

/** The figure's result text: answers, runs, ack latency, memory. */
const describeBurst = (f: BurstFigures) =>
	`${f.answered}/${f.count} answered (${Object.entries(f.statuses).map(([k, n]) => `${k}×${n}`).join(', ')}; ${f.accepted} accepted) (burst took ${(f.burstMs / 1000).toFixed(1)} s, all runs recorded after ${(f.runsDoneMs / 1000).toFixed(1)} s), ${f.lost} accepted but not run, ${f.twice} run twice, ${f.failed} failed runs; ` +
	`ack p50 ${median(f.acks).toFixed(0)} ms, p95 ${percentile(f.acks, 95).toFixed(0)} ms, p99 ${percentile(f.acks, 99).toFixed(0)} ms, max ${Math.max(...f.acks).toFixed(0)} ms; ` +
	`n8n heap in use after a full GC: baseline ${f.heapBaseline.toFixed(0)} MB, after ${f.heapAfter.toFixed(0)} MB (limit ${f.limit.toFixed(0)} MB); RSS baseline ${f.baseline.toFixed(0)} MB, peak ${f.peak.toFixed(0)} MB, after ${f.after.toFixed(0)} MB`;

export function defineR7(): void {
	describe('R7 load', () => {
		it('real n8n: a burst of concurrent signed deliveries, all answered, none lost, none twice, memory back near baseline', async () => {
			const env = await sharedN8n();
			const pid = env.n8n.pid;
			if (!pid) throw new Error('n8n is not running');
			const elapsed = timer();
			const count = sized(500, 100);
			const f = await measureBurst(env, pid, count, {
				url: env.urls.load,
				firstJobId: 700_000,
				node: TRIGGER_NAME,
				jobIdOf: (json) => json.jobId as number,
				accepted: (r) => r.status === 200 && /"accepted"/.test(r.text),
			});
			const pass = f.answered === count && f.accepted > 0 && f.lost === 0 && f.twice === 0 && f.failed === 0 && f.heapAfter <= f.limit;
			report({
				id: 'R7',
				title: 'load burst into a real n8n',
				target: `${count} concurrent signed deliveries: every one answered, none lost, none twice, heap in use after a full GC back within max(32 MB, 15%) of the idle baseline's; ack p50/p95/p99 and RSS reported`,
				result: describeBurst(f),
				pass,
				size: `${count} deliveries`,
				durationMs: elapsed(),
			});
			expect(pass).toBe(true);
		});

		it("reference: the same burst into n8n's own plain Webhook node, side by side", async () => {
			const env = await sharedN8n();
			const pid = env.n8n.pid;
			if (!pid) throw new Error('n8n is not running');
			const elapsed = timer();
			const count = sized(500, 100);
			const f = await measureBurst(env, pid, count, {
				url: env.urls.plain,
				firstJobId: 800_000,
				node: PLAIN_WEBHOOK_NAME,
				jobIdOf: (json) => (json.body as { jobId: number }).jobId,
				accepted: (r) => r.status === 200,
			});
			// n8n's own node is the yardstick, not the subject: its figure only has to be complete
			const pass = f.answered === count;
			report({
				id: 'R7w',
				title: "the same burst into n8n's plain Webhook node (reference for R7)",
				target: `${count} concurrent deliveries, every one answered; ack p50/p95/p99, runs, RSS and heap after a full GC reported to compare with R7`,
				result: describeBurst(f),
				pass,
				size: `${count} deliveries`,
				durationMs: elapsed(),
			});
			expect(pass).toBe(true);
		});
	});
}

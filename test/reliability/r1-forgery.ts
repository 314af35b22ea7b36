/**
 * R1 forgery: generated mutations through the trigger's real webhook() (n8n-core's
 * WebhookContext behind real HTTP), then forged ones over HTTP into a published trigger in the
 * shared real n8n.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';

import { startTriggerServer, type TriggerServer } from '../../lab/helpers/webhook-context';
import { readExecutions } from '../../lab/helpers/harness';
import { evidence } from './evidence';
import { report, seedOf, sized, timer } from './figures';
import { CURRENT, forgeryCase, PREVIOUS, SETUPS, verdictOf, type ForgeryCase, type Setup } from './forgery-cases';
import { pool, postRaw } from './http-send';
import { sharedN8n, WORKFLOWS } from './shared-n8n';

const ACCEPTED = new Set(['accepted', 'duplicate']);

export function defineR1InProcess(): void {
	describe('R1 forgery', () => {
		it('webhook(): no forged callback accepted, no genuine one refused, no store change by a refused one', async () => {
			evidence.secrets.push(CURRENT, PREVIOUS);
			const numRuns = sized(10_000, 1_000);
			const seed = seedOf('R1');
			const elapsed = timer();
			const servers = {} as Record<Setup, TriggerServer>;
			for (const setup of Object.keys(SETUPS) as Setup[]) {
				servers[setup] = await startTriggerServer({ credentials: { environment: 'custom', ...SETUPS[setup] } });
			}
			const counts = { cases: 0, forged: 0, genuine: 0, signedNonsense: 0, forgedAccepted: 0, genuineRejected: 0, refusedStoreChanges: 0, crashes: 0 };
			const labels = new Set<string>();
			const bad: string[] = [];
			const check = async (c: ForgeryCase): Promise<boolean> => {
				const server = servers[c.setup];
				const verdict = verdictOf(c);
				const before = JSON.stringify(server.savedStaticData());
				const runsBefore = server.runs.length;
				const reply = await postRaw(server.url, c.body, { 'x-signature': c.signature });
				const ok2xx = reply.status >= 200 && reply.status < 300;
				const started = server.runs.length > runsBefore;
				const storeChanged = JSON.stringify(server.savedStaticData()) !== before;
				let json: { status?: string } = {};
				try {
					json = JSON.parse(reply.body) as { status?: string };
				} catch {
					// n8n's own 422 for bodies that are not JSON
				}
				counts.cases++;
				labels.add(c.label);
				let fine = reply.status < 500;
				if (!fine) counts.crashes++;
				if (verdict === 'forged') {
					counts.forged++;
					if (ok2xx || started) { counts.forgedAccepted++; fine = false; }
				} else if (verdict === 'genuine') {
					counts.genuine++;
					if (!(reply.status === 200 && ACCEPTED.has(json.status ?? ''))) { counts.genuineRejected++; fine = false; }
				} else counts.signedNonsense++;
				if (!ok2xx && (storeChanged || started)) { counts.refusedStoreChanges++; fine = false; }
				if (!fine && bad.length < 5) bad.push(`${verdict} "${c.label}" → ${reply.status} ${reply.body.slice(0, 80)}`);
				return fine;
			};
			let failure: unknown;
			try {
				await fc.assert(fc.asyncProperty(forgeryCase, check), { seed, numRuns, endOnFailure: true });
			} catch (error) {
				failure = error;
			} finally {
				await Promise.all(Object.values(servers).map((s) => s.close()));
			}
			const pass = !failure && counts.forgedAccepted === 0 && counts.genuineRejected === 0 && counts.refusedStoreChanges === 0 && counts.cases >= numRuns;
			report({
				id: 'R1a',
				title: 'forgery through webhook()',
				target: `≥${numRuns} mutations: 0 forged accepted, 0 genuine rejected, 0 store changes by a refused request`,
				result: `${counts.cases} cases (${counts.forged} forged, ${counts.genuine} genuine, ${counts.signedNonsense} signed but mangled; ${labels.size} distinct mutation mixes): ${counts.forgedAccepted} forged accepted, ${counts.genuineRejected} genuine rejected, ${counts.refusedStoreChanges} store changes by refused requests, ${counts.crashes} answers ≥500`,
				pass,
				size: `${numRuns} generated mutations`,
				durationMs: elapsed(),
			});
			if (!pass) throw new Error(`R1a missed its target. First cases: ${bad.join(' | ')}\n${failure ? String((failure as Error).message).slice(0, 2000) : ''}`);
		});

	});
}

export function defineR1InN8n(): void {
	describe('R1 forgery', () => {
		it('real n8n: forged callbacks over HTTP into a published trigger start no execution', async () => {
			const env = await sharedN8n();
			const numRuns = sized(500, 100);
			const elapsed = timer();
			// the shared n8n's credential holds CURRENT (see shared-n8n.ts) and no previous secret
			const forged = fc.sample(forgeryCase.filter((c) => c.setup === 'currentOnly' && verdictOf(c) === 'forged'), { seed: seedOf('R1b'), numRuns });
			const workflowId = WORKFLOWS.forgery.id;
			const staticBefore = staticDataOf(env.n8n.databaseFile, workflowId);
			const runsBefore = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, workflowId).length;
			const replies = await pool(forged, 8, (c) => postRaw(env.urls.forgery, c.body, { 'x-signature': c.signature }));
			const answered2xx = replies.filter((r) => r.status >= 200 && r.status < 300).length;
			const statuses = countBy(replies.map((r) => String(r.status)));
			await new Promise((resolve) => setTimeout(resolve, 2_000)); // anything started late would show now
			const executions = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, workflowId).length - runsBefore;
			const staticAfter = staticDataOf(env.n8n.databaseFile, workflowId);
			// the counter can see: one genuine callback starts exactly one execution
			const genuine = Buffer.from(JSON.stringify({ jobId: 424242, eventType: 'JobAssigned', jobName: 'control', jobStatus: 'Assigned' }));
			const control = await postRaw(env.urls.forgery, genuine, { 'x-signature': createHmac('sha256', CURRENT).update(genuine).digest('hex') });
			const seen = (await waitForCount(() => readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir, workflowId).length, runsBefore + executions + 1)) - runsBefore - executions;
			const pass = forged.length >= numRuns && answered2xx === 0 && executions === 0 && staticAfter === staticBefore && control.status === 200 && seen === 1;
			report({
				id: 'R1b',
				title: 'forgery over HTTP into a real n8n',
				target: `≥${numRuns} forged requests: 0 executions, 0 answered 2xx, the trigger's delivery store unchanged`,
				result: `${forged.length} forged sent (answers ${Object.entries(statuses).map(([s, n]) => `${s}×${n}`).join(', ')}): ${executions} executions, ${answered2xx} answered 2xx, delivery store ${staticAfter === staticBefore ? 'unchanged' : `CHANGED (${staticBefore.slice(0, 80)} → ${staticAfter.slice(0, 200)})`}; control genuine callback → ${control.status}, ${seen} execution`,
				pass,
				size: `${forged.length} requests`,
				durationMs: elapsed(),
			});
			expect(pass).toBe(true);
		});
	});
}

/**
 * What a callback can change in the trigger's static data: its delivery store. (The rest, the
 * callback URL recorded on activation, may be saved late on a busy machine, and with it the
 * trigger's still empty node entry: a node without a store counts as no store.)
 */
function staticDataOf(databaseFile: string, workflowId: string): string {
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const db = new DatabaseSync(databaseFile, { readOnly: true });
	try {
		const row = db.prepare('SELECT staticData FROM workflow_entity WHERE id = ?').get(workflowId) as { staticData: string | null } | undefined;
		const data = JSON.parse(row?.staticData ?? '{}') as Record<string, { deliveries?: unknown }>;
		return JSON.stringify(Object.values(data).flatMap((node) => (node.deliveries === undefined ? [] : [node.deliveries])));
	} finally {
		db.close();
	}
}

const countBy = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ((acc[v] = (acc[v] ?? 0) + 1), acc), {});

async function waitForCount(read: () => number, want: number, timeoutMs = 30_000): Promise<number> {
	const deadline = Date.now() + timeoutMs;
	let n = read();
	while (n < want && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 250));
		n = read();
	}
	await new Promise((resolve) => setTimeout(resolve, 1_000));
	return read();
}

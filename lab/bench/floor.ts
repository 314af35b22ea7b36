// Figure 3: what one delivery costs n8n, our trigger beside n8n's own Webhook node in the same
// n8n process: CPU per delivery (process, all threads) and ack latency, the cases taking turns
// batch by batch, each batch closed only once n8n is idle again (so an execution a batch started
// is charged to it, not to the next case).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { Workflow, WorkflowNode } from '../helpers/harness';
import { cpuByGroup, snapshot, waitQuiet } from './cpu';
import { quantile } from './stats';
import { deliver, forge, oursTarget, Payloads, plainTarget, sign, type TriggerTarget } from './trigger';

/** Header n8n's Webhook node checks in the "header auth" cases, and its value. */
export const AUTH_HEADER = { name: 'x-bench-auth', value: 'bench-header-token' };
export const AUTH_CREDENTIAL = { id: 'benchHeaderAuth1', name: 'bench header auth' };

/** n8n's Webhook node with one option given as an expression: n8n then builds it an isolate. */
function webhookTarget(name: string, id: string, withAuth: boolean): TriggerTarget {
	const base = plainTarget();
	const path = `bench-${name}`;
	const start: WorkflowNode = {
		...base.workflow.nodes[0],
		webhookId: randomUUID(),
		parameters: {
			httpMethod: 'POST',
			path,
			responseMode: 'onReceived',
			...(withAuth ? { authentication: 'headerAuth' } : {}),
			options: { ignoreBots: '={{ false }}' },
		},
		...(withAuth ? { credentials: { httpHeaderAuth: AUTH_CREDENTIAL } } : {}),
	};
	const workflow: Workflow = { ...base.workflow, id, name: `bench: ${name}`, nodes: [start, base.workflow.nodes[1]] };
	return { name, workflow, path: `webhook/${path}` };
}

export const headerAuthCredential = () => ({ ...AUTH_CREDENTIAL, type: 'httpHeaderAuth', data: AUTH_HEADER });

export interface FloorCase {
	name: string;
	target: TriggerTarget;
	kind: 'genuine' | 'duplicate' | 'forged' | 'no-signature' | 'wrong-token';
	/** what n8n must answer */
	expect: (status: number, answer: string) => boolean;
}

export function floorTargets(credential: { id: string; name: string }, thousands: number) {
	const plain = plainTarget();
	const expression = webhookTarget('expression', 'benchExpr0000001', false);
	const auth = webhookTarget('header-auth', 'benchAuth0000001', true);
	const fresh = oursTarget(0, credential);
	const big = oursTarget(thousands, credential);
	// its own workflow: the same few events sent again and again, never a new one in between
	const repeats = { ...oursTarget(0, credential), name: 'ours, repeats' };
	repeats.workflow = { ...repeats.workflow, id: 'benchTrigRepeats', name: 'bench: trigger, repeated events' };
	const accepted = (s: number, a: string) => s === 200 && a.includes('accepted');
	const cases: FloorCase[] = [
		{ name: 'plain Webhook', target: plain, kind: 'genuine', expect: (s) => s === 200 },
		{ name: 'Webhook, one expression', target: expression, kind: 'genuine', expect: (s) => s === 200 },
		{ name: 'Webhook, one expression + header auth', target: auth, kind: 'genuine', expect: (s) => s === 200 },
		{ name: `ours, small memory (${SMALL_MEMORY_JOBS} jobs)`, target: fresh, kind: 'genuine', expect: accepted },
		{ name: `ours, ${thousands} jobs remembered`, target: big, kind: 'genuine', expect: accepted },
		{ name: 'ours, duplicate', target: repeats, kind: 'duplicate', expect: (s, a) => s === 200 && a.includes('duplicate') },
		{ name: 'ours, forged (wrong key)', target: fresh, kind: 'forged', expect: (s) => s === 401 },
		{ name: 'ours, no signature', target: fresh, kind: 'no-signature', expect: (s) => s === 401 },
		{ name: 'Webhook + header auth, wrong token', target: auth, kind: 'wrong-token', expect: (s) => s === 403 || s === 401 },
	];
	return { targets: [plain, expression, auth, fresh, big, repeats], cases };
}

export interface CaseFigures {
	name: string;
	kind: FloorCase['kind'];
	deliveries: number;
	cpuMsPerDelivery: number;
	/** before n8n's idle CPU was subtracted */
	rawCpuMsPerDelivery: number;
	/** wall time of the batches (sending + waiting for n8n to go idle) per delivery */
	wallMsPerDelivery: number;
	/** CPU ms per delivery by thread group */
	byThread: Record<string, number>;
	p50: number;
	p95: number;
	unexpected: number;
}

/** Jobs the small memory cycles through (new events for the same jobs: its size stays). */
export const SMALL_MEMORY_JOBS = 50;

/** What successive measurements (warm-up, c=1, c=8) share: the payload sequences, and the
 * events the duplicate case sends again (delivered once, first, by primeDuplicates). */
export interface FloorState {
	payloads: Map<TriggerTarget, Payloads>;
	repeated: Buffer[];
}

export const newFloorState = (): FloorState => ({ payloads: new Map(), repeated: [] });

/** Delivers `count` new events to the duplicate case's workflow once; they are resent from then on. */
export async function primeDuplicates(state: FloorState, baseUrl: string, cases: FloorCase[], secret: string, count: number): Promise<void> {
	const target = cases.find((c) => c.kind === 'duplicate')!.target;
	const payloads = new Payloads(count, 'assignment');
	for (let i = 0; i < count; i++) {
		const body = payloads.body();
		const d = await deliver(`${baseUrl}/${target.path}`, body, sign(secret, body));
		if (d.status !== 200 || !d.answer.includes('accepted')) throw new Error(`priming the duplicate case: answered ${d.status} ${d.answer}`);
		state.repeated.push(body);
	}
}

interface Tally {
	latencies: number[];
	cpuMs: number;
	rawCpuMs: number;
	wallMs: number;
	byThread: Record<string, number>;
	unexpected: number;
}

/**
 * `rounds` × every case (order rotating each round), `chunk` deliveries per batch, `concurrency`
 * at a time. Idle CPU (n8n's timers) is measured before and subtracted per batch.
 */
export async function measureFloor(
	state: FloorState,
	baseUrl: string,
	pid: number,
	cases: FloorCase[],
	secret: string,
	options: { rounds: number; chunk: number; concurrency: number; idleMsPerSecond: number },
): Promise<CaseFigures[]> {
	const payloadsFor = (t: TriggerTarget) => (t.seeded ? new Payloads(t.seeded) : new Payloads(SMALL_MEMORY_JOBS, 'assignment'));
	const bodiesFor = (t: TriggerTarget) => state.payloads.get(t) ?? state.payloads.set(t, payloadsFor(t)).get(t)!;
	let repeat = 0;
	const tallies = new Map(cases.map((c) => [c, { latencies: [], cpuMs: 0, rawCpuMs: 0, wallMs: 0, byThread: {}, unexpected: 0 } as Tally]));
	for (let round = 0; round < options.rounds; round++) {
		for (let i = 0; i < cases.length; i++) {
			const c = cases[(i + round) % cases.length];
			const tally = tallies.get(c)!;
			const bodies = Array.from({ length: options.chunk }, () =>
				c.kind === 'duplicate' ? state.repeated[repeat++ % state.repeated.length] : bodiesFor(c.target).body(c.kind !== 'genuine'),
			);
			const url = `${baseUrl}/${c.target.path}`;
			const before = snapshot(pid);
			const t0 = performance.now();
			let next = 0;
			await Promise.all(
				Array.from({ length: Math.min(options.concurrency, bodies.length) }, async () => {
					while (next < bodies.length) {
						const body = bodies[next++];
						const headers: Record<string, string> = { [AUTH_HEADER.name]: c.kind === 'wrong-token' ? 'wrong' : AUTH_HEADER.value };
						const signature = c.kind === 'forged' ? forge(body) : c.kind === 'no-signature' ? undefined : sign(secret, body);
						const d = await deliver(url, body, signature, headers);
						tally.latencies.push(d.ms);
						if (!c.expect(d.status, d.answer)) tally.unexpected++;
					}
				}),
			);
			await waitQuiet(pid, options.idleMsPerSecond);
			const after = snapshot(pid);
			const wall = performance.now() - t0;
			tally.wallMs += wall;
			tally.cpuMs += after.total - before.total - (options.idleMsPerSecond * wall) / 1000;
			tally.rawCpuMs += after.total - before.total;
			for (const [group, ms] of Object.entries(cpuByGroup(pid, before, after))) tally.byThread[group] = (tally.byThread[group] ?? 0) + ms;
		}
	}
	return cases.map((c) => {
		const t = tallies.get(c)!;
		const n = t.latencies.length;
		return {
			name: c.name,
			kind: c.kind,
			deliveries: n,
			cpuMsPerDelivery: t.cpuMs / n,
			rawCpuMsPerDelivery: t.rawCpuMs / n,
			wallMsPerDelivery: t.wallMs / n,
			byThread: Object.fromEntries(Object.entries(t.byThread).map(([g, ms]) => [g, ms / n])),
			p50: quantile(t.latencies, 0.5),
			p95: quantile(t.latencies, 0.95),
			unexpected: t.unexpected,
		};
	});
}

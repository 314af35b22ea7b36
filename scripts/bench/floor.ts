// Figure 3: what one delivery costs n8n, our trigger beside n8n's own Webhook node in the same
// n8n process: CPU per delivery (process, all threads) and ack latency, the cases taking turns
// batch by batch, each batch closed only once n8n is idle again (so an execution a batch started
// is charged to it, not to the next case).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { Workflow, WorkflowNode } from '../harness';
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
	const accepted = (s: number, a: string) => s === 200 && a.includes('accepted');
	const cases: FloorCase[] = [
		{ name: 'plain Webhook', target: plain, kind: 'genuine', expect: (s) => s === 200 },
		{ name: 'Webhook, one expression', target: expression, kind: 'genuine', expect: (s) => s === 200 },
		{ name: 'Webhook, one expression + header auth', target: auth, kind: 'genuine', expect: (s) => s === 200 },
		{ name: 'ours, fresh memory', target: fresh, kind: 'genuine', expect: accepted },
		{ name: `ours, ${thousands} jobs remembered`, target: big, kind: 'genuine', expect: accepted },
		{ name: 'ours, duplicate', target: fresh, kind: 'duplicate', expect: (s, a) => s === 200 && a.includes('duplicate') },
		{ name: 'ours, forged (wrong key)', target: fresh, kind: 'forged', expect: (s) => s === 401 },
		{ name: 'ours, no signature', target: fresh, kind: 'no-signature', expect: (s) => s === 401 },
		{ name: 'Webhook + header auth, wrong token', target: auth, kind: 'wrong-token', expect: (s) => s === 403 || s === 401 },
	];
	return { targets: [plain, expression, auth, fresh, big], cases };
}

export interface CaseFigures {
	name: string;
	kind: FloorCase['kind'];
	deliveries: number;
	cpuMsPerDelivery: number;
	/** CPU ms per delivery by thread group */
	byThread: Record<string, number>;
	p50: number;
	p95: number;
	unexpected: number;
}

/** What successive measurements (warm-up, c=1, c=8) share: the payload sequences, and the
 * genuine bodies the fresh memory accepted lately, resent as duplicates. */
export interface FloorState {
	payloads: Map<TriggerTarget, Payloads>;
	acceptedBodies: Buffer[];
}

export const newFloorState = (): FloorState => ({ payloads: new Map(), acceptedBodies: [] });

interface Tally {
	latencies: number[];
	cpuMs: number;
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
	const { acceptedBodies } = state;
	const bodiesFor = (t: TriggerTarget) => state.payloads.get(t) ?? state.payloads.set(t, new Payloads(t.seeded || 50)).get(t)!;
	const tallies = new Map(cases.map((c) => [c, { latencies: [], cpuMs: 0, wallMs: 0, byThread: {}, unexpected: 0 } as Tally]));
	for (let round = 0; round < options.rounds; round++) {
		for (let i = 0; i < cases.length; i++) {
			const c = cases[(i + round) % cases.length];
			const tally = tallies.get(c)!;
			const bodies = Array.from({ length: options.chunk }, () =>
				c.kind === 'duplicate' && acceptedBodies.length > 0 ? acceptedBodies.pop()! : bodiesFor(c.target).body(c.kind !== 'genuine'),
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
						else if (c.kind === 'genuine' && c.target.seeded === 0) acceptedBodies.push(body);
					}
				}),
			);
			await waitQuiet(pid, options.idleMsPerSecond);
			const after = snapshot(pid);
			const wall = performance.now() - t0;
			tally.wallMs += wall;
			tally.cpuMs += after.total - before.total - (options.idleMsPerSecond * wall) / 1000;
			for (const [group, ms] of Object.entries(cpuByGroup(pid, before, after))) tally.byThread[group] = (tally.byThread[group] ?? 0) + ms;
		}
		// duplicates must be of recent deliveries (still remembered, not superseded)
		acceptedBodies.splice(0, Math.max(0, acceptedBodies.length - 2 * options.chunk));
	}
	return cases.map((c) => {
		const t = tallies.get(c)!;
		const n = t.latencies.length;
		return {
			name: c.name,
			kind: c.kind,
			deliveries: n,
			cpuMsPerDelivery: t.cpuMs / n,
			byThread: Object.fromEntries(Object.entries(t.byThread).map(([g, ms]) => [g, ms / n])),
			p50: quantile(t.latencies, 0.5),
			p95: quantile(t.latencies, 0.95),
			unexpected: t.unexpected,
		};
	});
}

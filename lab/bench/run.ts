// `npm run bench`: every figure of issue #9 side by side in one run, in real n8n processes against
// the sandbox, written to lab/bench/results/results.md (+ an SVG chart). `runBench(SMOKE)` is the same at a
// tiny size for the test suite: it proves the benchmark works and prints, never how fast.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildAndPack, disposeAllN8n, PACKAGE_ROOT, type N8nInstance } from '../helpers/harness';
import {
	actionsWorkflow,
	credentialFor,
	idealWallMs,
	prepareSandbox,
	runFlow,
	type FlowKind,
	type FlowRun,
	type FlowSpec,
	type PreparedSandbox,
	type SandboxRequest,
	type SandboxSpec,
} from './actions';
import { readStaticData, settledCounts, startLab } from './lab';
import { runMicro, type MicroResult } from './micro';
import { measurePackage, type PackageFigures } from './pkg';
import { measureQueue, type QueueFigures } from './queue';
import { deliver, forge, measure, oursTarget, Payloads, plainTarget, seededStaticData, sign, summarise, type Sample, type Summary, type TriggerTarget } from './trigger';

export interface RateScenario {
	id: string;
	limit: number;
	items: number;
	kinds: FlowKind[];
	note?: string;
}

export interface BenchConfig {
	label: 'full' | 'smoke';
	calls: { executions: number; items: number };
	rate: RateScenario[];
	trigger: { seeds: number[]; rounds: number; chunk1: number; chunk8: number; forgedRounds: number; vmRow: boolean };
	packageRuns: number;
	micro: { ms: number; webhookRounds: number };
	/** figure 5 (a queue-mode cluster: minutes to start); the test suite runs it in its own smoke file */
	queue: { executions: number; itemsPerExecution: number } | null;
	/** where results.md and the chart go; undefined = print only */
	outDir?: string;
	log: (line: string) => void;
}

export const FULL: Omit<BenchConfig, 'log'> = {
	label: 'full',
	calls: { executions: 3, items: 20 },
	rate: [
		{ id: 'rl200', limit: 60, items: 200, kinds: ['ours', 'hand', 'handBatched'] },
		{ id: 'rl58', limit: 60, items: 58, kinds: ['ours'], note: 'just above the old 55/min budget' },
		{ id: 'rl15', limit: 10, items: 15, kinds: ['ours', 'hand', 'handBatched'] },
	],
	trigger: { seeds: [100, 1000, 5000], rounds: 6, chunk1: 10, chunk8: 24, forgedRounds: 4, vmRow: true },
	packageRuns: 5,
	micro: { ms: 700, webhookRounds: 300 },
	queue: { executions: 2, itemsPerExecution: 60 },
	outDir: path.join(PACKAGE_ROOT, 'lab', 'bench', 'results'),
};

export const SMOKE: Omit<BenchConfig, 'log'> = {
	label: 'smoke',
	calls: { executions: 2, items: 2 },
	rate: [{ id: 'rl3', limit: 60, items: 3, kinds: ['ours', 'hand', 'handBatched'] }],
	trigger: { seeds: [100], rounds: 1, chunk1: 2, chunk8: 8, forgedRounds: 1, vmRow: false },
	packageRuns: 1,
	micro: { ms: 20, webhookRounds: 5 },
	queue: null,
	outDir: undefined,
};

export interface TriggerFigures {
	engine: string;
	c1: Record<string, Summary>;
	c8: Record<string, Summary>;
	forged: Summary;
	genuineBesideForged: Summary;
	executions: Record<string, number>;
	expectedExecutions: Record<string, number>;
	/** executions still new/running when counted */
	unfinished: Record<string, number>;
	storeBytes: Record<string, number>;
}

export interface BenchResults {
	config: Omit<BenchConfig, 'log'>;
	startedAt: string;
	machine: string;
	calls: { ours: FlowRun[]; hand: FlowRun[] };
	rate: Array<{ scenario: RateScenario; runs: Partial<Record<FlowKind, FlowRun>>; timeline: Record<string, SandboxRequest[]> }>;
	trigger: TriggerFigures[];
	pkg: PackageFigures;
	micro: MicroResult[];
	queue: QueueFigures | null;
}

const secretFor = (key: string) => `bench-secret-${key.toLowerCase()}`;

function flowsFor(sandboxName: string, scenario: string, kinds: FlowKind[]): FlowSpec[] {
	return kinds.map((kind) => {
		const partnerKey = `${scenario}_${kind}`.toUpperCase();
		return { id: `${scenario}-${kind}`, kind, partnerKey, partnerSecret: secretFor(partnerKey), sandboxName };
	});
}

export async function runBench(config: BenchConfig): Promise<BenchResults> {
	const { log } = config;
	const startedAt = new Date().toISOString();
	const sandboxes = new Map<string, PreparedSandbox>();
	const labs: N8nInstance[] = [];
	try {
		// one sandbox per limit (the limit is sandbox-wide); one partner key per flow
		const callsFlows = flowsFor('calls', 'calls', ['ours', 'hand']);
		const rateFlows = config.rate.map((s) => flowsFor(`limit${s.limit}`, s.id, s.kinds));
		const specs = new Map<string, SandboxSpec>();
		// calls per operation are counted under a limit they never reach, so no flow waits or fails
		specs.set('calls', { name: 'calls', limit: 1000, partners: [] });
		for (const s of config.rate) specs.set(`limit${s.limit}`, specs.get(`limit${s.limit}`) ?? { name: `limit${s.limit}`, limit: s.limit, partners: [] });
		for (const flow of [...callsFlows, ...rateFlows.flat()]) {
			specs.get(flow.sandboxName)!.partners.push({ partnerKey: flow.partnerKey, partnerSecret: flow.partnerSecret });
		}
		log(`starting ${specs.size} sandboxes and creating jobs`);
		for (const spec of specs.values()) {
			// a sandbox needs at least two partners
			if (spec.partners.length < 2) spec.partners.push({ partnerKey: `${spec.name}_SPARE`.toUpperCase(), partnerSecret: 'bench-spare-secret' });
			sandboxes.set(spec.name, await prepareSandbox(spec));
		}
		const allFlows = [...callsFlows, ...rateFlows.flat()];
		const callsSandbox = sandboxes.get('calls')!;
		const credentials = allFlows.filter((f) => f.kind === 'ours').map((f) => credentialFor(f, sandboxes.get(f.sandboxName)!));
		const triggerCredential = { id: 'benchTriggerCred', name: 'bench trigger' };
		credentials.push({ ...(credentialFor(callsFlows[0], callsSandbox) as object), ...triggerCredential });

		log('building and packing the package');
		const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-bench-pack-'));
		const tarball = await buildAndPack(packDir);

		const actions = actionsWorkflow(allFlows);
		const makeTargets = () => [plainTarget(), ...config.trigger.seeds.map((n) => oursTarget(n, triggerCredential))];
		const targets = makeTargets();
		const staticData = Object.fromEntries(targets.filter((t) => t.seeded).map((t) => [t.workflow.id, seededStaticData(t.seeded!)]));
		const hooks = [...allFlows.map((f) => `webhook/bench-${f.id}`), ...targets.map((t) => t.path)];
		log('starting n8n (N8N_EXPRESSION_ENGINE=legacy) with the package, the flows and the triggers');
		const legacyEnv = { N8N_EXPRESSION_ENGINE: 'legacy' };
		const n8n = await startLab({ tarball, credentials, workflows: [actions, ...targets.map((t) => t.workflow)], webhookPaths: hooks, staticData, env: legacyEnv, log });
		labs.push(n8n);

		// figure 2 runs in the background (minutes of waiting on the limit) while 1, 3 and 4 are measured
		log('figure 2: rate-limit flows started (concurrently, separate partner keys)');
		const timeoutFor = (s: RateScenario) => idealWallMs(s.items + 1, s.limit) + 5 * 60_000;
		const ratePromise = Promise.all(
			config.rate.map(async (scenario, i) => {
				const prepared = sandboxes.get(`limit${scenario.limit}`)!;
				const runs: Partial<Record<FlowKind, FlowRun>> = {};
				await Promise.all(
					rateFlows[i].map(async (flow) => {
						runs[flow.kind] = await runFlow(n8n, actions.id, flow, prepared, scenario.items, timeoutFor(scenario));
						log(`  ${flow.id}: ${runs[flow.kind]!.itemsFailed} failed, wall ${(runs[flow.kind]!.wallMs / 1000).toFixed(1)} s`);
					}),
				);
				// this run's requests only (the partner's set-up login and job creations come minutes earlier)
				const timeline = Object.fromEntries(rateFlows[i].map((f) => [f.kind, runs[f.kind]!.requests]));
				return { scenario, runs, timeline };
			}),
		);
		// a failure there must not go unhandled while the other figures run
		ratePromise.catch(() => undefined);

		log('figure 1: calls per operation');
		const calls = { ours: [] as FlowRun[], hand: [] as FlowRun[] };
		for (let i = 0; i < config.calls.executions; i++) {
			for (const flow of callsFlows) {
				const run = await runFlow(n8n, actions.id, flow, callsSandbox, config.calls.items, 120_000);
				calls[flow.kind as 'ours' | 'hand'].push(run);
			}
		}

		log('figure 3: trigger overhead (legacy expression engine)');
		const trigger: TriggerFigures[] = [await triggerFigures(n8n, targets, callsSandbox.sandbox.callbackSecret, config, 'legacy')];
		if (config.trigger.vmRow) {
			log('figure 3: the same at 100 remembered jobs on the default (vm) expression engine');
			const vmTargets = [plainTarget(), oursTarget(100, triggerCredential)];
			const vmLab = await startLab({
				tarball,
				credentials: [credentials[credentials.length - 1]],
				workflows: vmTargets.map((t) => t.workflow),
				webhookPaths: vmTargets.map((t) => t.path),
				staticData: { [vmTargets[1].workflow.id]: seededStaticData(100) },
				log,
			});
			labs.push(vmLab);
			trigger.push(await triggerFigures(vmLab, vmTargets, callsSandbox.sandbox.callbackSecret, config, 'vm (n8n default)'));
			await vmLab.dispose();
		}

		log('figure 4: package');
		const pkg = measurePackage(tarball, n8n.runtimeDir, config.packageRuns);

		log('micro benchmarks');
		const micro = await runMicro(config.micro);

		let queue: QueueFigures | null = null;
		if (config.queue) {
			log('figure 5: queue mode (Postgres, Redis, main + 2 workers + webhook process)');
			queue = await measureQueue({ tarball, ...config.queue, log: (line) => log(`  ${line}`) });
		}

		log('waiting for the rate-limit flows');
		const rate = await ratePromise;
		fs.rmSync(packDir, { recursive: true, force: true });
		return {
			config: { ...config, log: undefined } as unknown as Omit<BenchConfig, 'log'>,
			startedAt,
			machine: machineLine(),
			calls,
			rate,
			trigger,
			pkg,
			micro,
			queue,
		};
	} finally {
		for (const lab of labs) await lab.dispose();
		await disposeAllN8n();
		for (const s of sandboxes.values()) await s.sandbox.close();
	}
}

async function triggerFigures(n8n: N8nInstance, targets: TriggerTarget[], secret: string, config: BenchConfig, engine: string): Promise<TriggerFigures> {
	const t = config.trigger;
	const bodies = new Map(targets.map((target) => [target.name, new Payloads(target.seeded ?? 100)]));
	// warm-up: first requests load the workflow, the node types and the store
	await measure(n8n.baseUrl, targets, bodies, secret, { rounds: 1, chunk: 5, concurrency: 1 });
	const c1 = await measure(n8n.baseUrl, targets, bodies, secret, { rounds: t.rounds, chunk: t.chunk1, concurrency: 1 });
	const c8 = await measure(n8n.baseUrl, targets, bodies, secret, { rounds: t.rounds, chunk: t.chunk8, concurrency: 8 });
	// forged and genuine alternate one by one against the smallest memory, so both see the same machine
	const ours = targets.find((x) => x.seeded !== undefined)!;
	const oursBodies = bodies.get(ours.name)!;
	const forgedSamples: Sample = { latencies: [], elapsedMs: 0, count: 0, unexpected: 0 };
	const genuineSamples: Sample = { latencies: [], elapsedMs: 0, count: 0, unexpected: 0 };
	for (let i = 0; i < t.forgedRounds * t.chunk1; i++) {
		for (const forged of [i % 2 === 0, i % 2 !== 0]) {
			const body = oursBodies.body(forged);
			const d = await deliver(`${n8n.baseUrl}/${ours.path}`, body, forged ? forge(body) : sign(secret, body));
			const into = forged ? forgedSamples : genuineSamples;
			into.latencies.push(d.ms);
			into.elapsedMs += d.ms;
			into.count++;
			if (d.status !== (forged ? 401 : 200)) into.unexpected++;
		}
	}
	const executions: Record<string, number> = {};
	const expected: Record<string, number> = {};
	const storeBytes: Record<string, number> = {};
	const unfinished: Record<string, number> = {};
	for (const target of targets) {
		// every genuine delivery is a new event: one execution each, forged ones none
		const genuine = 5 + t.rounds * (t.chunk1 + t.chunk8) + (target === ours ? t.forgedRounds * t.chunk1 : 0);
		expected[target.name] = genuine;
		const counts = await settledCounts(n8n.databaseFile, target.workflow.id, genuine, 180_000);
		executions[target.name] = Object.values(counts).reduce((a, b) => a + b, 0);
		unfinished[target.name] = (counts.new ?? 0) + (counts.running ?? 0) + (counts.waiting ?? 0);
		if (target.seeded !== undefined) storeBytes[target.name] = readStaticData(n8n.databaseFile, target.workflow.id).length;
	}
	const summary = (samples: Map<string, { latencies: number[]; elapsedMs: number; count: number; unexpected: number }>) =>
		Object.fromEntries([...samples].map(([name, s]) => [name, summarise(s)]));
	return {
		engine,
		c1: summary(c1),
		c8: summary(c8),
		forged: summarise(forgedSamples),
		genuineBesideForged: summarise(genuineSamples),
		executions,
		expectedExecutions: expected,
		unfinished,
		storeBytes,
	};
}

function machineLine(): string {
	const cpus = os.cpus();
	const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
	return `${cpus.length} cores (${cpus[0]?.model ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, load average at the end ${load} — shared with other engineers' builds, tests and n8n processes`;
}

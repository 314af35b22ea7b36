// `npm run bench -- --floor`: figure 3 on its own, in a fresh n8n per expression engine with
// nothing else running in it (the full run's figure 2 flows shared the legacy n8n before and
// slowed n8n's own Webhook, whose answer waits for its execution to be saved: see the report).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import { buildAndPack, disposeAllN8n } from '../helpers/harness';
import { countAsksPerDelivery, type AsksRow } from './asks';
import { idleRate, waitQuiet } from './cpu';
import { floorTargets, headerAuthCredential, measureFloor, newFloorState, primeDuplicates, type CaseFigures } from './floor';
import { executionCounts, startLab } from './lab';
import { seededStaticData } from './trigger';

export interface FloorConfig {
	engines: string[];
	thousands: number;
	rounds: number;
	chunk1: number;
	chunk8: number;
	/** write a V8 CPU profile of the n8n process into this folder (on stop) */
	profileDir?: string;
	log: (line: string) => void;
}

/** The expression-engine settings measured: n8n's default, then what an operator can change. */
export const ENGINE_ENV: Record<string, Record<string, string>> = {
	vm: { N8N_EXPRESSION_ENGINE: 'vm' },
	'vm, lazy acquire': { N8N_EXPRESSION_ENGINE: 'vm', N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
	legacy: { N8N_EXPRESSION_ENGINE: 'legacy' },
};

export const FLOOR_FULL = { engines: ['vm', 'vm, lazy acquire', 'legacy'], thousands: 5000, rounds: 5, chunk1: 8, chunk8: 24 };
export const FLOOR_SMOKE = { engines: ['vm'], thousands: 200, rounds: 1, chunk1: 2, chunk8: 8 };

export interface EngineFloor {
	engine: string;
	env: Record<string, string>;
	idleMsPerSecond: number;
	/** idle measured again after the run (not used; shows whether the first reading held) */
	idleAfter: number;
	c1: CaseFigures[];
	c8: CaseFigures[];
	/** executions n8n recorded per workflow, against the genuine deliveries sent */
	executions: Record<string, { recorded: number; expected: number }>;
}

export interface FloorResults {
	startedAt: string;
	n8nVersion: string;
	machine: string;
	loadBefore: number[];
	loadAfter: number[];
	config: Omit<FloorConfig, 'log'>;
	asks: AsksRow[];
	engines: EngineFloor[];
}

const SECRET = 'bench-floor-callback-secret';

export async function runFloor(config: FloorConfig): Promise<FloorResults> {
	const { log } = config;
	const startedAt = new Date().toISOString();
	const loadBefore = os.loadavg();
	log('what one delivery asks of n8n (in-process)');
	const asks = await countAsksPerDelivery();
	log('building and packing the package');
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-bench-floor-'));
	const engines: EngineFloor[] = [];
	let version = '';
	try {
		const tarball = await buildAndPack(packDir);
		const triggerCredential = { id: 'benchFloorCred01', name: 'bench floor trigger' };
		const credentials = [
			{ ...triggerCredential, type: CREDENTIAL_TYPE, data: { environment: 'custom', baseUrl: 'http://127.0.0.1:9', partnerKey: 'FLOOR', partnerSecret: 'unused', callbackSecret: SECRET } },
			headerAuthCredential(),
		];
		for (const engine of config.engines) {
			const { targets, cases } = floorTargets(triggerCredential, config.thousands);
			const big = targets.find((t) => (t.seeded ?? 0) > 0)!;
			const env: Record<string, string> = { ...ENGINE_ENV[engine] };
			if (config.profileDir) env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${path.join(config.profileDir, engine.replace(/\W+/g, '-'))}`;
			log(`n8n with ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
			const n8n = await startLab({
				tarball,
				credentials,
				workflows: targets.map((t) => t.workflow),
				webhookPaths: targets.map((t) => t.path),
				staticData: { [big.workflow.id]: seededStaticData(big.seeded!) },
				env,
				log,
			});
			try {
				const pid = n8n.pid!;
				const state = newFloorState();
				log('  warm-up');
				await primeDuplicates(state, n8n.baseUrl, cases, SECRET, config.chunk8);
				await measureFloor(state, n8n.baseUrl, pid, cases, SECRET, { rounds: 1, chunk: 5, concurrency: 1, idleMsPerSecond: 0 });
				// idle once whatever the warm-up left (isolates being rebuilt, saves) has settled
				await waitQuiet(pid, 0, 1000);
				const idleBefore = await idleRate(pid, 5000);
				const idleMsPerSecond = idleBefore;
				log(`  idle: ${idleMsPerSecond.toFixed(1)} ms CPU/s; concurrency 1`);
				const c1 = await measureFloor(state, n8n.baseUrl, pid, cases, SECRET, { rounds: config.rounds, chunk: config.chunk1, concurrency: 1, idleMsPerSecond });
				log('  concurrency 8');
				const c8 = await measureFloor(state, n8n.baseUrl, pid, cases, SECRET, { rounds: config.rounds, chunk: config.chunk8, concurrency: 8, idleMsPerSecond });
				const idleAfter = await idleRate(pid, 5000);
				const executions: EngineFloor['executions'] = {};
				for (const target of targets) {
					const genuine = cases.filter((c) => c.target === target && c.kind === 'genuine').length;
					const primed = cases.some((c) => c.target === target && c.kind === 'duplicate') ? config.chunk8 : 0;
					const expected = primed + genuine * (5 + config.rounds * (config.chunk1 + config.chunk8));
					const counts = executionCounts(n8n.databaseFile, target.workflow.id);
					executions[target.name] = { recorded: Object.values(counts).reduce((a, b) => a + b, 0), expected };
				}
				version = n8n.version;
				engines.push({ engine, env: ENGINE_ENV[engine], idleMsPerSecond, idleAfter, c1, c8, executions });
			} finally {
				await n8n.dispose();
			}
		}
	} finally {
		await disposeAllN8n();
		fs.rmSync(packDir, { recursive: true, force: true });
	}
	const cpus = os.cpus();
	const machine = `${cpus.length} cores (${cpus[0]?.model ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
	return { startedAt, n8nVersion: version, machine, loadBefore, loadAfter: os.loadavg(), config: { ...config, log: undefined } as Omit<FloorConfig, 'log'>, asks, engines };
}

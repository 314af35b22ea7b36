/**
 * `npm run bench` at a tiny size, so the benchmarks cannot rot: every figure is produced from a
 * real n8n and the sandbox, and the report renders. No speed is asserted here — targets live in
 * `npm run bench` only; what is checked is that each figure measured what it says.
 */
import { renderResults, chartFor } from '../../lab/bench/report';
import { runBench, SMOKE, type BenchResults } from '../../lab/bench/run';
import { SETUP_TIMEOUT_MS } from '../../lab/helpers/e2e';

let results: BenchResults;
let markdown: string;

beforeAll(async () => {
	results = await runBench({ ...SMOKE, log: () => {} });
	const chart = chartFor(results);
	markdown = renderResults(results, chart?.name).markdown;
	console.log(markdown);
}, SETUP_TIMEOUT_MS);

describe('bench smoke (tiny size)', () => {
	it('counts calls per operation for both flows at the sandbox', () => {
		const { ours, hand } = results.calls;
		expect(ours).toHaveLength(SMOKE.calls.executions);
		expect(hand).toHaveLength(SMOKE.calls.executions);
		for (const run of [...ours, ...hand]) {
			expect(run.executionStatus).toBe('success');
			expect(run.itemsFailed).toBe(0);
			// at least one call per item reached the sandbox
			expect(run.requests.length).toBeGreaterThanOrEqual(run.items);
		}
		// the by-hand flow logs in on every execution
		expect(hand.every((r) => r.requests.some((q) => q.path.endsWith('/access/login')))).toBe(true);
	});

	it('runs every rate-limit flow to the end and records its requests for the chart', () => {
		for (const { scenario, runs, timeline } of results.rate) {
			for (const kind of scenario.kinds) {
				expect(runs[kind]?.items).toBe(scenario.items);
				expect(timeline[kind]?.length).toBeGreaterThan(0);
			}
		}
		expect(chartFor(results)?.svg).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
	});

	it('delivers to the trigger and the plain Webhook node, forged ones starting nothing', () => {
		const [legacy] = results.trigger;
		expect(legacy.engine).toMatch(/legacy/);
		for (const summary of [...Object.values(legacy.c1), ...Object.values(legacy.c8), legacy.forged, legacy.genuineBesideForged]) {
			expect(summary.count).toBeGreaterThan(0);
			expect(summary.unexpected).toBe(0);
			expect(Number.isFinite(summary.p50)).toBe(true);
		}
		expect(legacy.executions).toEqual(legacy.expectedExecutions);
	});

	it('measures the package and the micro benchmarks, and renders one table per figure', () => {
		expect(results.pkg.runtimeDependencies).toBe(0);
		expect(results.pkg.packedBytes).toBeGreaterThan(0);
		expect(Object.keys(results.pkg.requireMs)).toHaveLength(3);
		expect(results.micro.length).toBeGreaterThan(5);
		for (const heading of ['## 1. Calls per operation', '## 2. Rate-limit use', '## 3. Trigger overhead', '## 4. Package', '## 5. Queue mode', '## Micro benchmarks']) {
			expect(markdown).toContain(heading);
		}
	});
});

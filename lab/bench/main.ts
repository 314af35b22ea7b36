// What `npm run bench` does with a run: print the tables, write lab/bench/results/results.md and the chart
// (full size only), and with --strict exit 1 when a target was missed.
import fs from 'node:fs';
import path from 'node:path';

import type { FlowRun } from './actions';
import { chartFor, renderResults } from './report';
import { renderFloor, spliceSection3 } from './floorReport';
import { FLOOR_FULL, FLOOR_SMOKE, runFloor, type FloorResults } from './floorRun';
import { FULL, runBench, SMOKE, type BenchResults } from './run';

/**
 * `--floor`: figure 3 alone (lab/bench/floorRun.ts), spliced into lab/bench/results/results.md at full
 * size; `--profile` also writes V8 CPU profiles of n8n to lab/bench/results/profiles (not committed).
 */
export async function floorMain(argv: string[]): Promise<{ markdown: string; missed: number }> {
	const smoke = argv.includes('--smoke');
	const t0 = Date.now();
	const log = (line: string) => console.error(`[bench floor +${Math.round((Date.now() - t0) / 1000)}s] ${line}`);
	const profileDir = argv.includes('--profile') ? path.join(FULL.outDir!, 'profiles') : undefined;
	const json = path.join(FULL.outDir!, 'results.floor.json');
	// --from-json: render the last run again (after a change of wording) without measuring
	const results: FloorResults = argv.includes('--from-json')
		? (JSON.parse(fs.readFileSync(json, 'utf8')) as FloorResults)
		: await runFloor({ ...(smoke ? FLOOR_SMOKE : FLOOR_FULL), profileDir, log });
	const { markdown, checks } = renderFloor(results);
	if (!smoke) {
		const file = path.join(FULL.outDir!, 'results.md');
		fs.writeFileSync(file, spliceSection3(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '', markdown));
		fs.writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
		log(`wrote section 3 of ${path.relative(process.cwd(), file)}`);
	}
	console.log(markdown);
	const missed = checks.filter((c) => !c.ok);
	console.log(missed.length === 0 ? 'all targets met' : `${missed.length} target(s) missed: ${missed.map((c) => c.what).join('; ')}`);
	return { markdown, missed: missed.length };
}

export async function benchMain(argv: string[]): Promise<{ results: BenchResults; markdown: string; missed: number }> {
	const smoke = argv.includes('--smoke');
	const base = smoke ? SMOKE : FULL;
	const t0 = Date.now();
	const log = (line: string) => console.error(`[bench +${Math.round((Date.now() - t0) / 1000)}s] ${line}`);
	const results = await runBench({ ...base, log });
	const chart = chartFor(results);
	const { markdown, verdicts } = renderResults(results, chart?.name);
	if (base.outDir) {
		fs.mkdirSync(base.outDir, { recursive: true });
		fs.writeFileSync(path.join(base.outDir, 'results.md'), markdown);
		if (chart) fs.writeFileSync(path.join(base.outDir, chart.name), chart.svg);
		fs.writeFileSync(path.join(base.outDir, 'results.json'), JSON.stringify(summaryJson(results), null, 2) + '\n');
		log(`wrote ${path.relative(process.cwd(), path.join(base.outDir, 'results.md'))}`);
	}
	console.log(markdown);
	const missed = verdicts.checks.filter((c) => !c.ok);
	console.log(missed.length === 0 ? 'all targets met' : `${missed.length} target(s) missed: ${missed.map((c) => `${c.figure}: ${c.what}`).join('; ')}`);
	return { results, markdown, missed: missed.length };
}

/** The numbers without the raw request logs (those only feed the chart) or the sandbox secrets. */
function summaryJson(results: BenchResults): object {
	const slim = ({ requests, flow, ...rest }: FlowRun) => ({ flow: flow.id, ...rest, calls: requests.length });
	return {
		...results,
		calls: Object.fromEntries(Object.entries(results.calls).map(([k, runs]) => [k, runs.map(slim)])),
		rate: results.rate.map(({ scenario, runs }) => ({
			scenario,
			runs: Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, r && slim(r)])),
		})),
		queue: results.queue && { ...results.queue, requests: undefined },
	};
}

// What `npm run bench` does with a run: print the tables, write lab/bench/results/results.md and the chart
// (full size only), and with --strict exit 1 when a target was missed.
import fs from 'node:fs';
import path from 'node:path';

import type { FlowRun } from './actions';
import { chartFor, renderResults } from './report';
import { FULL, runBench, SMOKE, type BenchResults } from './run';

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

// `npm run bench`: the benchmarks of issue #9, side by side in one run (see lab/bench/run.ts):
// calls per operation and rate-limit use against the by-hand flow, trigger overhead against n8n's
// plain Webhook node, package cost, and the trigger's hot path in isolation. Writes
// lab/bench/results/results.md and its chart. `--smoke` runs everything at a tiny size (the test suite does),
// `--strict` exits 1 when a target is missed. The TypeScript runs as it is through tsx.
require('tsx/cjs/api').register();
// `X.node` resolves to the codex file X.node.json before X.node.ts under tsx (Jest prefers .ts):
// point the codex path at the compiled-on-the-fly node so the test helper gets the class.
{
	const nodeDir = require('node:path').join(__dirname, '..', 'nodes', 'G2SentryTrigger');
	const ts = require.resolve(`${nodeDir}/G2SentryTrigger.node.ts`);
	require(ts);
	require.cache[require.resolve(`${nodeDir}/G2SentryTrigger.node`)] = require.cache[ts];
}

const { benchMain, floorMain } = require('./bench/main.ts');

const argv = process.argv.slice(2);
(argv.includes('--floor') ? floorMain(argv) : benchMain(argv))
	.then(({ missed }) => process.exit(missed > 0 && process.argv.includes('--strict') ? 1 : 0))
	.catch((error) => {
		console.error(error);
		process.exit(1);
	});

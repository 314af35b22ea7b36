// `npm run bench`: how fast the trigger's hot path is, against targets that keep a webhook
// acknowledgement well inside what the vendor tolerates (it retries on slowness).
//   - signature verification (HMAC-SHA256 over the raw body, two secrets during a rotation, up to
//     the largest body taken), and that its time tells neither validity nor which secret signed
//   - dedupe decisions against a full store (the default 5,000 jobs)
//   - size and (de)serialisation of that store, which n8n saves with the workflow per delivery
//   - a whole webhook() round trip through n8n-core over local HTTP
// Speed targets live here, never in timed unit tests. `--strict` exits 1 when one is missed.
// The TypeScript sources run as they are, through tsx's require hook (no build needed).
require('tsx/cjs/api').register();
// `X.node` resolves to the codex file X.node.json before X.node.ts under tsx (Jest prefers .ts):
// point the codex path at the compiled-on-the-fly node so the test helper gets the class.
{
	const nodeDir = require('node:path').join(__dirname, '..', 'nodes', 'G2SentryTrigger');
	const ts = require.resolve(`${nodeDir}/G2SentryTrigger.node.ts`);
	require(ts);
	require.cache[require.resolve(`${nodeDir}/G2SentryTrigger.node`)] = require.cache[ts];
}

const { createHmac } = require('node:crypto');
const { performance } = require('node:perf_hooks');

const { verifySignature } = require('../nodes/G2SentryTrigger/signature.ts');
const { MAX_CALLBACK_BYTES } = require('../nodes/G2SentryTrigger/payload.ts');
const { createStore, recordEvent, DEFAULT_LIMITS } = require('../nodes/G2SentryTrigger/events.ts');

const SECRET = 'bench-callback-secret';
// a callable gc() without a command-line flag, for the heap measurement
require('node:v8').setFlagsFromString('--expose-gc');
const gc = require('node:vm').runInNewContext('gc');
const results = [];

/** Runs fn repeatedly for about `ms` and returns operations per second. */
function opsPerSecond(fn, ms = 700) {
	for (let i = 0; i < 2000; i++) fn(i); // warm-up
	let count = 0;
	const start = performance.now();
	let elapsed = 0;
	while (elapsed < ms) {
		for (let i = 0; i < 500; i++) fn(count++);
		elapsed = performance.now() - start;
	}
	return (count / elapsed) * 1000;
}

function record(name, value, unit, target, better) {
	const ok = better === 'higher' ? value >= target : value <= target;
	results.push({ name, value, unit, target, better, ok });
}

function callbackBody(jobId, eventType = 'JobAssigned', padTo = 0) {
	const body = JSON.stringify({
		jobId,
		eventType,
		jobName: 'Open house at 12 Elm St' + ' '.repeat(Math.max(0, padTo - 130)),
		jobStatus: 'Assigned',
		guardianPhone: '+15550100',
	});
	return Buffer.from(body);
}

function benchSignatures() {
	// Targets leave room for a busy 2-core machine: G2 Sentry sends a few callbacks a second at
	// most, and n8n's own webhook round trip (~75 ms) dwarfs any of these.
	for (const [label, size, target] of [
		['typical callback (~130 B)', 0, 20_000],
		['16 KiB body', 16 * 1024, 10_000],
		['64 KiB body (the largest taken)', MAX_CALLBACK_BYTES, 2_000],
	]) {
		const body = callbackBody(9142, 'JobAssigned', size);
		const good = createHmac('sha256', SECRET).update(body).digest('hex');
		const ops = opsPerSecond(() => verifySignature(body, good, [SECRET, 'bench-previous-secret']));
		record(`verify signature, ${label}, 2 secrets`, ops, 'ops/s', target, 'higher');
	}
	// A forged signature must cost the same as a good one (both secrets always tried).
	const body = callbackBody(9142);
	const good = createHmac('sha256', SECRET).update(body).digest('hex');
	const bad = good.replace(/^./, good[0] === '0' ? '1' : '0');
	const goodOps = opsPerSecond(() => verifySignature(body, good, [SECRET, 'bench-previous-secret']));
	const badOps = opsPerSecond(() => verifySignature(body, bad, [SECRET, 'bench-previous-secret']));
	record('forged vs valid verify time ratio', goodOps / badOps, 'x', 1.5, 'lower');
	// Nor may timing tell which of the two secrets signed (rotation in progress).
	const underPrevious = createHmac('sha256', 'bench-previous-secret').update(body).digest('hex');
	const previousOps = opsPerSecond(() => verifySignature(body, underPrevious, [SECRET, 'bench-previous-secret']));
	record('previous vs current secret verify time ratio', Math.max(goodOps, previousOps) / Math.min(goodOps, previousOps), 'x', 1.5, 'lower');
}

function fullStore(jobs) {
	const store = createStore();
	for (let job = 1; job <= jobs; job++) {
		recordEvent(store, { jobId: job, eventType: 'JobAssigned', jobStatus: 'Assigned', guardianPhone: '+15550100' }, job);
		recordEvent(store, { jobId: job, eventType: 'JobStarted', jobStatus: 'InProgress', guardianPhone: null }, job);
	}
	return store;
}

function benchDedupe() {
	const jobs = DEFAULT_LIMITS.maxJobs;
	const store = fullStore(jobs);
	const now = jobs + 1;
	// retries of known events against a full store: the common case during a retry storm
	const dupOps = opsPerSecond((i) =>
		recordEvent(store, { jobId: (i % jobs) + 1, eventType: 'JobStarted', jobStatus: 'InProgress', guardianPhone: null }, now),
	);
	record(`dedupe decision, duplicate, store of ${jobs} jobs`, dupOps, 'ops/s', 1_000_000, 'higher');
	// new jobs keep arriving: the store stays at its bound by evicting the oldest
	const newOps = opsPerSecond((i) =>
		recordEvent(store, { jobId: 1_000_000 + i, eventType: 'JobAssigned', jobStatus: 'Assigned', guardianPhone: null }, now + i),
	);
	record(`dedupe decision, new job, store at its bound`, newOps, 'ops/s', 100_000, 'higher');
	record('jobs kept after the new-job run', Object.keys(store.jobs).length, 'jobs', jobs, 'lower');
}

function benchStoreSize() {
	const jobs = DEFAULT_LIMITS.maxJobs;
	gc();
	const heapBefore = process.memoryUsage().heapUsed;
	const store = fullStore(jobs);
	gc();
	const heapAfter = process.memoryUsage().heapUsed;
	const json = JSON.stringify(store);
	record(`store JSON size at ${jobs} jobs`, json.length / 1024, 'KiB', 512, 'lower');
	record(`store heap at ${jobs} jobs`, (heapAfter - heapBefore) / 1024 / 1024, 'MiB', 8, 'lower');
	const start = performance.now();
	const rounds = 50;
	for (let i = 0; i < rounds; i++) JSON.parse(JSON.stringify(store));
	record('store save+load (JSON round trip)', (performance.now() - start) / rounds, 'ms', 10, 'lower');
}

async function benchWebhook() {
	const { startTriggerServer } = require('../test/helpers/webhook-context.ts');
	const server = await startTriggerServer({ credentials: { callbackSecret: SECRET } });
	const latencies = [];
	try {
		for (let i = 0; i < 300; i++) {
			const body = callbackBody(10_000 + (i % 150), i % 2 ? 'JobStarted' : 'JobAssigned');
			const signature = createHmac('sha256', SECRET).update(body).digest('hex');
			const start = performance.now();
			const reply = await server.post(body, { 'x-signature': signature });
			latencies.push(performance.now() - start);
			if (reply.status !== 200) throw new Error(`webhook answered ${reply.status}`);
		}
	} finally {
		await server.close();
	}
	latencies.sort((a, b) => a - b);
	const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
	// includes the helper's simulated 2 ms credential read (n8n reads it from its database)
	record('webhook() round trip via n8n-core + HTTP, p50', p(0.5), 'ms', 15, 'lower');
	record('webhook() round trip via n8n-core + HTTP, p95', p(0.95), 'ms', 40, 'lower');
}

function format(value) {
	if (value >= 1000) return Math.round(value).toLocaleString('en-US');
	return value.toFixed(value >= 10 ? 1 : 2);
}

async function main() {
	benchSignatures();
	benchDedupe();
	benchStoreSize();
	await benchWebhook();
	const width = Math.max(...results.map((r) => r.name.length));
	console.log(`node ${process.version}, ${require('node:os').cpus()[0]?.model ?? 'unknown cpu'}`);
	for (const r of results) {
		const target = `${r.better === 'higher' ? '>=' : '<='} ${format(r.target)} ${r.unit}`;
		console.log(`${r.ok ? 'PASS' : 'MISS'}  ${r.name.padEnd(width)}  ${format(r.value).padStart(10)} ${r.unit.padEnd(6)} (target ${target})`);
	}
	const missed = results.filter((r) => !r.ok).length;
	console.log(missed === 0 ? 'all targets met' : `${missed} target(s) missed`);
	if (missed > 0 && process.argv.includes('--strict')) process.exit(1);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});

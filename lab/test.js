// The README's test command.
//
//   npm test                 the whole suite: lint (lab/lint.js), then Jest over test/ (unit,
//                            integration, e2e; see jest.config.js); with CI set also the e2e suites on
//                            every n8n version CI proves and the reliability figures at CI size
//                            (G2S_RELIABILITY_SCALE=0.1 unless set). Last line: "N passed, N failed"
//                            over all of it (lab/ci-summary.js), lint counted as one test.
//                            The n8n versions are installed in the background meanwhile; the e2e
//                            suites run (a Jest run of their own) once they are there.
//   npm test -- <jest args>  Jest only, with those arguments (`npm test -- test/unit`)
//   npm run test:fast        the inner loop: unit and integration (the sandbox over real HTTP)
//
// Nothing is to be installed by hand: Node 24 and the dev dependencies come from the npm registry
// (lab/toolchain.sh), and so do the e2e suites' n8n (lab/n8n-runtime.js), Postgres
// (lab/helpers/harness/services.ts) and Chromium (lab/helpers/browser.ts). Redis has no npm package: when
// redis-server is missing, this installs Debian's as root, or says what to install and stops.
// Jest's JSON results go to .test-results/*.json (with arguments: <G2S_RESULTS_NAME or jest>.json).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const results = path.join(root, '.test-results');
const jestBin = require.resolve('jest/bin/jest');
const log = (m) => console.error(`[test] ${m}`);

const args = process.argv.slice(2);
const fast = args[0] === '--fast';
const whole = args.length === 0;

/** Runs Jest; results in .test-results/<name>.json. Returns its exit status. */
function jest(name, jestArgs, env = process.env) {
	const out = path.join(results, `${name}.json`);
	fs.rmSync(out, { force: true });
	const r = spawnSync(process.execPath, [jestBin, '--json', `--outputFile=${out}`, ...jestArgs], { cwd: root, stdio: 'inherit', env });
	return r.status ?? 1;
}

function onPath(cmd) {
	for (const dir of (process.env.PATH || '').split(path.delimiter)) {
		const file = path.join(dir, cmd);
		try {
			fs.accessSync(file, fs.constants.X_OK);
			return file;
		} catch {
			// not in this folder
		}
	}
	return undefined;
}

/** redis-server for the queue-mode suites (lab/helpers/harness/services.ts reads G2S_REDIS_SERVER). */
function ensureRedis() {
	if (process.env.G2S_REDIS_SERVER || onPath('redis-server')) return;
	if (process.getuid?.() !== 0) {
		console.error('redis-server is missing (the queue-mode e2e suites start one): install Debian\'s redis-server (`sudo apt-get install redis-server`), then run npm test again.');
		process.exit(1);
	}
	log("redis-server is missing: installing Debian's package redis-server (apt-get, as root)");
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	for (const aptArgs of [['update', '-q'], ['install', '-y', '-q', '--no-install-recommends', 'redis-server']]) {
		const r = spawnSync('apt-get', aptArgs, { stdio: ['ignore', 2, 2], env });
		if (r.status !== 0) {
			console.error(`apt-get ${aptArgs[0]} failed (${r.error?.message ?? `exit ${r.status}`}): install redis-server, then run npm test again.`);
			process.exit(1);
		}
	}
	// Debian puts it in /usr/bin, which a trimmed PATH may leave out
	const installed = onPath('redis-server') || ['/usr/bin/redis-server'].find((f) => fs.existsSync(f));
	if (!installed) {
		console.error('apt-get installed redis-server but no redis-server binary was found: install it, then run npm test again.');
		process.exit(1);
	}
	process.env.G2S_REDIS_SERVER = installed;
}

/**
 * Installs every n8n the run needs, all at once (each into the shared cache under its own lock:
 * lab/n8n-runtime.js), logs in .test-results/n8n-install-<version>.log. A cold install takes
 * minutes: done here, before the e2e suites start, it never eats into a suite's own time limit.
 * Returns a promise of whether all of them succeeded.
 */
function installN8n() {
	const { testedN8nVersions } = require('./n8n-runtime');
	const versions = testedN8nVersions();
	log(`making sure n8n ${versions.join(', ')} ${versions.length > 1 ? 'are' : 'is'} installed (first time: minutes; logs in .test-results/n8n-install-<version>.log)`);
	return Promise.all(
		versions.map((version) => {
			const logFile = fs.openSync(path.join(results, `n8n-install-${version}.log`), 'w');
			const child = spawn(process.execPath, [path.join(__dirname, 'n8n-runtime.js')], {
				cwd: root,
				env: { ...process.env, G2S_N8N_VERSION: version },
				stdio: ['ignore', logFile, logFile],
			});
			fs.closeSync(logFile);
			return new Promise((resolve) => {
				child.on('error', () => resolve(false));
				child.on('exit', (code) => {
					if (code !== 0) log(`installing n8n ${version} failed: see .test-results/n8n-install-${version}.log`);
					resolve(code === 0);
				});
			});
		}),
	).then((ok) => ok.every(Boolean));
}

function writeLintResult(ok) {
	// the shape of Jest's results that lab/ci-summary.js reads
	const result = { numPassedTests: ok ? 1 : 0, numFailedTests: ok ? 0 : 1, testResults: [] };
	fs.writeFileSync(path.join(results, 'lint.json'), JSON.stringify(result));
}

async function main() {
	fs.mkdirSync(results, { recursive: true });
	if (!whole) {
		if (fast) return jest(process.env.G2S_RESULTS_NAME || 'fast', ['--config', 'jest.fast.config.js', ...args.slice(1)]);
		if (args.some((a) => a.includes('e2e') && fs.existsSync(path.resolve(root, a)))) {
			ensureRedis();
			await installN8n();
		}
		return jest(process.env.G2S_RESULTS_NAME || 'jest', args);
	}

	ensureRedis();
	const started = Date.now();
	const phases = [];
	const phase = async (name, fn) => {
		const t = Date.now();
		const status = await fn();
		phases.push(`${name} ${Math.round((Date.now() - t) / 1000)} s`);
		return status;
	};
	for (const f of fs.readdirSync(results).filter((f) => f.endsWith('.json'))) fs.rmSync(path.join(results, f), { force: true });
	// installs go on while lint and the unit and integration suites run
	const installs = installN8n();
	const installStarted = Date.now();
	installs.then(() => phases.push(`n8n installs (in the background) ${Math.round((Date.now() - installStarted) / 1000)} s`));
	// every phase runs whatever the one before it found
	const statuses = [];
	const lintStatus = await phase('lint', () => spawnSync(process.execPath, [path.join(__dirname, 'lint.js')], { cwd: root, stdio: 'inherit' }).status ?? 1);
	writeLintResult(lintStatus === 0);
	statuses.push(lintStatus);
	statuses.push(await phase('unit + integration', () => jest('unit-integration', ['--selectProjects', 'unit + integration'])));
	statuses.push(await phase('waiting for the n8n installs', () => installs.then(() => 0)));
	statuses.push(await phase('e2e', () => jest('e2e', ['--ignoreProjects', 'unit + integration'])));
	const files = ['lint.json', 'unit-integration.json', 'e2e.json'];
	if (process.env.CI) {
		const env = { ...process.env, G2S_RELIABILITY_SCALE: process.env.G2S_RELIABILITY_SCALE || '0.1' };
		statuses.push(await phase('reliability', () => jest('reliability', ['--config', 'jest.reliability.config.js'], env)));
		files.push('reliability.json');
	}
	log(`phases: ${phases.join(', ')}; total ${Math.round((Date.now() - started) / 1000)} s`);
	const summary = spawnSync(process.execPath, [path.join(__dirname, 'ci-summary.js'), ...files.map((f) => path.join(results, f))], { stdio: 'inherit' });
	return statuses.find((s) => s !== 0) ?? summary.status ?? 0;
}

main().then(
	(status) => process.exit(status),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);

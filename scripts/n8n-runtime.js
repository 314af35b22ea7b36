// Provides a real n8n (from the npm registry) for the demo and the end-to-end suite.
//
// n8n >= 2.36 needs Node >= 24; scripts/toolchain.sh puts Node 24 on PATH (G2S_NODE_DIR). n8n is
// installed once into a cache outside the checkout, keyed by version ($G2S_CACHE/n8n-<version>),
// built in a temporary folder beside it and renamed into place only when complete, so an
// interrupted install is never mistaken for a finished one.
//
//   bash scripts/toolchain.sh node scripts/n8n-runtime.js   # install if needed, print the folder
//   require('./n8n-runtime').ensureN8n()                     # same, from code
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const N8N_VERSION = process.env.G2S_N8N_VERSION || '2.41.1';
// The newest linkedom n8n accepts is missing from the registry n8n's range resolves to; this
// version installs and works.
const OVERRIDES = { linkedom: '0.18.14' };
const COMPLETE_MARK = '.g2s-runtime-complete';

function cacheRoot() {
	if (process.env.G2S_CACHE) return process.env.G2S_CACHE;
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return path.join(base, 'n8n-nodes-g2sentry');
}

function runtimeDir(version = N8N_VERSION) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

/** Path of n8n's CLI entry inside an installed runtime. */
function n8nBin(dir = runtimeDir()) {
	return path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
}

function isComplete(dir) {
	return fs.existsSync(path.join(dir, COMPLETE_MARK)) && fs.existsSync(n8nBin(dir));
}

function checkNode() {
	const major = Number(process.versions.node.split('.')[0]);
	if (major < 24) {
		throw new Error(
			`n8n ${N8N_VERSION} needs Node >= 24 but this is ${process.version}; ` +
				'run through scripts/toolchain.sh (e.g. `bash scripts/toolchain.sh node scripts/n8n-runtime.js`)',
		);
	}
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
			const owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8') || 0);
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

/** Removes half-built installs left by interrupted runs (their pid is in the folder name). */
function removeAbandoned(dir, log) {
	const prefix = `${path.basename(dir)}.tmp-`;
	for (const name of fs.readdirSync(path.dirname(dir))) {
		if (!name.startsWith(prefix)) continue;
		const pid = Number(name.slice(prefix.length).split('-')[0]);
		if (pid && pidAlive(pid)) continue;
		log(`removing an interrupted install: ${name}`);
		fs.rmSync(path.join(path.dirname(dir), name), { recursive: true, force: true });
	}
}

async function install(dir, log) {
	removeAbandoned(dir, log);
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
	fs.mkdirSync(tmp, { recursive: true });
	const manifest = {
		name: 'g2s-n8n-runtime',
		private: true,
		description: `n8n ${N8N_VERSION} for the n8n-nodes-g2sentry demo and e2e tests`,
		dependencies: { n8n: N8N_VERSION },
		overrides: OVERRIDES,
	};
	fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify(manifest, null, 2));
	const env = { ...process.env };
	// native add-ons must build against Node 24's headers, not the machine's default nodedir
	if (process.env.G2S_NODE_DIR) env.npm_config_nodedir = process.env.G2S_NODE_DIR;
	const opts = { cwd: tmp, env };
	const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
	try {
		log(`installing n8n ${N8N_VERSION} into ${dir}`);
		log('this happens once per machine and takes about 4-6 minutes (~3 GB); later runs reuse it');
		log('step 1/3: npm install (install scripts skipped: one of them downloads from the internet)');
		await withHeartbeat(log, 'downloading and unpacking n8n and its dependencies', () =>
			run(npm, ['install', '--ignore-scripts', ...quiet], opts, log),
		);
		log('step 2/3: building the sqlite3 native module for this Node (about 1 minute)');
		await withHeartbeat(log, 'building sqlite3', () => run(npm, ['rebuild', 'sqlite3', ...quiet], opts, log));
		log('step 3/3: checking that n8n starts');
		await run(process.execPath, ['-e', "require('sqlite3')"], opts, log);
		const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-n8n-probe-'));
		try {
			const probeEnv = { ...env, N8N_USER_FOLDER: probe, N8N_DIAGNOSTICS_ENABLED: 'false' };
			await run(process.execPath, [n8nBin(tmp), '--version'], { cwd: probe, env: probeEnv }, log);
		} finally {
			fs.rmSync(probe, { recursive: true, force: true });
		}
		fs.writeFileSync(path.join(tmp, COMPLETE_MARK), new Date().toISOString() + '\n');
		fs.rmSync(dir, { recursive: true, force: true });
		fs.renameSync(tmp, dir);
		log(`n8n ${N8N_VERSION} is ready`);
	} catch (error) {
		fs.rmSync(tmp, { recursive: true, force: true });
		throw error;
	}
}

// Straight to file descriptor 2: a test runner may capture process.stderr.write, and the person
// waiting minutes for the first install must see why.
const defaultLog = (m) => fs.writeSync(2, `[n8n-runtime] ${m}\n`);

/** Makes sure n8n is installed in the cache; returns `{ dir, bin, version }`. */
async function ensureN8n({ log = defaultLog } = {}) {
	checkNode();
	const dir = runtimeDir();
	if (!isComplete(dir)) {
		fs.mkdirSync(path.dirname(dir), { recursive: true });
		const release = await acquireLock(`${dir}.lock`, log);
		try {
			if (!isComplete(dir)) await install(dir, log);
		} finally {
			release();
		}
	}
	return { dir, bin: n8nBin(dir), version: N8N_VERSION };
}

module.exports = { ensureN8n, runtimeDir, n8nBin, N8N_VERSION, cacheRoot };

if (require.main === module) {
	ensureN8n().then(
		(rt) => process.stdout.write(`${rt.dir}\n`),
		(error) => {
			process.stderr.write(`[n8n-runtime] ${error.message}\n`);
			process.exit(1);
		},
	);
}

// Builds and packs this package, and installs the tarball into an n8n user folder the way n8n's
// community-package installer does (see n8n's CommunityPackagesService.downloadPackage): extract
// into <user>/.n8n/nodes/node_modules/<name>, drop dev/peer/optional dependencies from its
// package.json, `npm install` inside it, and record the version in <user>/.n8n/nodes/package.json.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
	try {
		const { stdout } = await exec(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: process.env });
		return stdout;
	} catch (error) {
		const e = error as { stderr?: string; stdout?: string; message: string };
		throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
	}
}

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Its owner is gone, or it never got one (a process stopped between mkdir and writing the pid). */
function lockAbandoned(lock: string): boolean {
	try {
		const owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
		return owner > 0 && !pidAlive(owner);
	} catch {
		try {
			return Date.now() - fs.statSync(lock).mtimeMs > 30_000;
		} catch {
			return false; // released meanwhile
		}
	}
}

/**
 * Holds a lock folder beside dist/ while `fn` runs: Jest runs two suites at once (jest.config.js),
 * and a build empties dist/ that another suite's build or pack is reading. A lock whose owner
 * died is taken over.
 */
async function withBuildLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
	const lock = path.join(root, '.test-results', 'build.lock');
	fs.mkdirSync(path.dirname(lock), { recursive: true });
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch {
			if (lockAbandoned(lock)) fs.rmSync(lock, { recursive: true, force: true });
			else await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

/** What decides the bytes of the build and the tarball: the sources, the build's configuration
 * and tools (the lock), and the files npm always packs. */
const PACK_INPUTS = ['nodes', 'credentials', 'package.json', 'package-lock.json', 'tsconfig.json', 'gulpfile.js', 'README.md', 'LICENSE'];

function packInputsHash(root: string): string {
	const hash = createHash('sha256');
	const add = (relative: string) => {
		const full = path.join(root, relative);
		if (!fs.existsSync(full)) return;
		if (fs.statSync(full).isDirectory()) {
			for (const entry of fs.readdirSync(full).sort()) add(path.join(relative, entry));
			return;
		}
		hash.update(`${relative}\0`).update(fs.readFileSync(full)).update('\0');
	};
	for (const input of PACK_INPUTS) add(input);
	return hash.digest('hex').slice(0, 16);
}

/**
 * `npm run build` then `npm pack`, copied into `destDir`; returns the copy's path. Every e2e suite
 * installs the package into an n8n of its own; building it each time (tsc, under the build lock, so
 * one suite at a time) cost each suite seconds of a run. The tarball is kept in
 * .test-results/packed/<hash of PACK_INPUTS>/ and reused while none of those files changed.
 */
export async function buildAndPack(destDir: string, root = PACKAGE_ROOT): Promise<string> {
	fs.mkdirSync(destDir, { recursive: true });
	return withBuildLock(root, async () => {
		const packed = path.join(root, '.test-results', 'packed');
		const folder = path.join(packed, packInputsHash(root));
		let tarball = fs.existsSync(folder) ? fs.readdirSync(folder).find((file) => file.endsWith('.tgz')) : undefined;
		if (!tarball) {
			await run(NPM, ['run', '--silent', 'build'], root);
			// one tarball kept: the one of the sources as they are now
			fs.rmSync(packed, { recursive: true, force: true });
			const staging = fs.mkdtempSync(path.join(path.dirname(packed), 'packing-'));
			const out = await run(NPM, ['pack', '--json', '--pack-destination', staging, '--loglevel=error'], root);
			tarball = (JSON.parse(out) as Array<{ filename: string }>)[0].filename;
			fs.mkdirSync(packed, { recursive: true });
			fs.renameSync(staging, folder);
		}
		fs.copyFileSync(path.join(folder, tarball), path.join(destDir, tarball));
		return path.join(destDir, tarball);
	});
}

export interface InstalledPackage {
	name: string;
	version: string;
	dir: string;
}

/** Installs a packed tarball into `<userFolder>/.n8n/nodes` as n8n's installer would. */
export async function installCommunityPackage(userFolder: string, tarball: string): Promise<InstalledPackage> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const staging = fs.mkdtempSync(path.join(userFolder, 'pkg-'));
	await run('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1'], userFolder);
	const manifestPath = path.join(staging, 'package.json');
	const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
	const { devDependencies: _dev, peerDependencies: _peer, optionalDependencies: _optional, ...kept } = manifest;
	const name = String(kept.name);
	const version = String(kept.version);
	fs.writeFileSync(manifestPath, JSON.stringify(kept, null, 2));

	const dir = path.join(nodesDir, 'node_modules', name);
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	fs.rmSync(dir, { recursive: true, force: true });
	fs.renameSync(staging, dir);
	await run(
		NPM,
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
			'--loglevel=error',
		],
		dir,
	);

	const ledgerPath = path.join(nodesDir, 'package.json');
	const ledger = fs.existsSync(ledgerPath)
		? (JSON.parse(fs.readFileSync(ledgerPath, 'utf8')) as { dependencies?: Record<string, string> })
		: { name: 'installed-nodes', private: true, dependencies: {} };
	ledger.dependencies = { ...ledger.dependencies, [name]: version };
	fs.writeFileSync(ledgerPath, JSON.stringify(ledger, null, 2));
	return { name, version, dir };
}

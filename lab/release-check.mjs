// `npm run release:check`: what n8n's community-package scanner (@n8n/scan-community-package)
// would say about this package, offline, before anything is published.
//
// The scanner has three parts: npm provenance (only publishing from CI can give it), a lint of
// the source the provenance points at, and a lint of the published tarball. The two lint legs run
// here exactly as the scanner runs them: its own flat config (`buildScanConfig`), inline
// `eslint-disable` comments ignored, its file patterns — on this checkout's source, and on the
// tarball `npm pack` makes from a scratch build (the checkout's dist/ is never touched).
//
// The publisher fields verification needs (`repository`, `homepage`, `bugs`, `author.email`) can
// only be filled in by the publisher: each missing one is named, and the check fails until they
// are there. Any other finding fails it too.
//
//   node lab/release-check.mjs [--root DIR]   (through the toolchain: npm run release:check)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// ESLint and fast-glob as the scanner itself resolves them
const fromScanner = createRequire(createRequire(import.meta.url).resolve('@n8n/scan-community-package/package.json'));
const { ESLint } = fromScanner('eslint');
const glob = fromScanner('fast-glob');

const here = path.dirname(fileURLToPath(import.meta.url));
const toolRoot = path.resolve(here, '..');
const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? path.resolve(process.argv[rootArg + 1]) : toolRoot;

/** Files that make up a build: copied into a scratch folder so the checkout is left alone. */
const BUILD_INPUTS = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'tsconfig.json', 'gulpfile.js', 'index.js', 'nodes', 'credentials'];

/** Scanner findings that only the publisher's own values can clear, and the field each needs. */
const PUBLISHER_RULES = {
	'@n8n/community-nodes/valid-author': 'author.email',
	'@n8n/community-nodes/require-homepage': 'homepage',
};

/**
 * package.json ships `repository`, `homepage` and `bugs` with this placeholder in their URLs (the
 * fields exist; the values are the publisher's): a placeholder counts as missing.
 */
export const PUBLISHER_PLACEHOLDER = 'PUBLISHER-FILLS-THIS';
const nonEmpty = (value) => typeof value === 'string' && value.trim().length > 0 && !value.includes(PUBLISHER_PLACEHOLDER);

/** The publisher fields verification looks for, each with whether package.json has it. */
export function missingPublisherFields(pkg) {
	const missing = [];
	const repository = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
	if (!nonEmpty(repository)) missing.push('repository');
	if (!nonEmpty(pkg.homepage)) missing.push('homepage');
	const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url ?? pkg.bugs?.email;
	if (!nonEmpty(bugs)) missing.push('bugs');
	const email = typeof pkg.author === 'string' ? /<([^>]*)>/.exec(pkg.author)?.[1] : pkg.author?.email;
	if (!nonEmpty(email)) missing.push('author.email');
	return missing;
}

function run(command, args, cwd) {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
	}
	return result.stdout;
}

/** Builds in a scratch copy, packs it, and unpacks the tarball; returns the unpacked folder. */
function packIntoScratch(scratch) {
	const work = path.join(scratch, 'build');
	fs.mkdirSync(work);
	for (const entry of BUILD_INPUTS) {
		if (fs.existsSync(path.join(root, entry))) fs.cpSync(path.join(root, entry), path.join(work, entry), { recursive: true });
	}
	fs.symlinkSync(path.join(toolRoot, 'node_modules'), path.join(work, 'node_modules'), 'dir');
	const bin = (name) => path.join(toolRoot, 'node_modules', '.bin', name);
	run(bin('tsc'), ['-p', 'tsconfig.json'], work);
	run(bin('gulp'), ['build'], work);
	const [packed] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], work));
	const unpacked = path.join(scratch, 'tarball');
	fs.mkdirSync(unpacked);
	run('tar', ['-xzf', path.join(scratch, packed.filename), '-C', unpacked, '--strip-components=1'], scratch);
	return { unpacked, tarball: packed.filename, files: packed.files.length };
}

/** One lint leg, as the scanner's analyzePackage runs it, with the findings kept structured. */
async function lintLeg(config, dir, patterns) {
	const eslint = new ESLint({ cwd: dir, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: config });
	const files = glob.sync(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	if (files.length === 0) throw new Error(`no files to lint in ${dir} (${patterns.join(', ')})`);
	const results = await eslint.lintFiles(files);
	return {
		files: files.length,
		findings: results.flatMap((r) =>
			r.messages.map((m) => ({ file: path.relative(dir, r.filePath), line: m.line, rule: m.ruleId ?? '(parse)', severity: m.severity, message: m.message })),
		),
	};
}

async function main() {
	// eslint-plugin-n8n-nodes-base switches its filename rules into a mode for its own unit tests
	// when NODE_ENV is "test" (as under Jest), and then misreports every node file; the scanner
	// never runs that way
	if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
	const scanner = await import('@n8n/scan-community-package/scanner/scanner.mjs');
	const config = await scanner.buildScanConfig();
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-release-check-'));
	try {
		const packed = packIntoScratch(scratch);
		const legs = {
			source: await lintLeg(config, root, scanner.SOURCE_FILE_PATTERNS),
			tarball: await lintLeg(config, packed.unpacked, ['**/*.js', 'package.json']),
		};
		console.log(`packed ${packed.tarball} (${packed.files} files)`);
		const failures = [];
		const publisherFindings = new Set();
		for (const [leg, { files, findings }] of Object.entries(legs)) {
			const errors = findings.filter((f) => f.severity === 2);
			console.log(`scanner lint, ${leg}: ${files} files, ${errors.length} error(s), ${findings.length - errors.length} warning(s)`);
			for (const f of findings) {
				const where = `${leg} ${f.file}:${f.line} ${f.rule}: ${f.message}`;
				if (PUBLISHER_RULES[f.rule]) publisherFindings.add(PUBLISHER_RULES[f.rule]);
				else if (f.severity === 2) failures.push(where);
				else console.log(`  warning: ${where}`);
			}
		}
		const missing = missingPublisherFields(pkg);
		// a scanner finding about publisher data must be one of the fields named below
		for (const field of publisherFindings) {
			if (!missing.includes(field)) failures.push(`scanner reports ${field} although package.json has it`);
		}
		console.log('not checked here: npm provenance (given only by publishing from .github/workflows/publish.yml)');
		for (const field of missing) console.log(`MISSING publisher field: ${field} (the publisher's real value; see README "Releasing")`);
		for (const failure of failures) console.log(`FAIL ${failure}`);
		const ok = missing.length === 0 && failures.length === 0;
		console.log(ok ? 'release check passed' : `release check failed: ${missing.length} missing publisher field(s), ${failures.length} other finding(s)`);
		process.exitCode = ok ? 0 : 1;
	} finally {
		fs.rmSync(scratch, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(`release check could not run: ${error.stack ?? error}`);
	process.exitCode = 2;
});

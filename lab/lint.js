// `npm run lint`: the repository's ESLint configuration (eslint.config.mjs) over everything, the
// type-check of everything (tsc, tsconfig.dev.json), then n8n's own checks on the package:
// `n8n-node lint` in strict mode insists on its template as the package's eslint.config.mjs, so
// it runs on a copy of what ships (nodes/, credentials/, package.json, tsconfig.json) laid out
// with that template, under .test-results/n8n-lint/. `npm run lint -- --fix` fixes through the
// repository's configuration (same n8n rules for the shipped code) and then runs n8n's checks.
// Exit status: non-zero when any of the three finds an error.
//
// package.json is linted by the n8n leg only. The publisher fields n8n asks for (repository,
// homepage, bugs, author.email) are the publisher's to fill: `npm run release:check` fails, naming
// each, until they are there. So that lint can gate every run meanwhile, the copy gets placeholder
// values (under .invalid) for exactly those that are missing, and says so; any other finding fails.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const fix = process.argv.includes('--fix');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args, cwd) => spawnSync(cmd, args, { cwd, stdio: 'inherit' }).status ?? 1;

console.log('[lint] eslint . (eslint.config.mjs)');
const repo = run(bin('eslint'), ['.', '--ignore-pattern', 'package.json', ...(fix ? ['--fix'] : [])], root);

// Jest only transpiles (isolatedModules in tsconfig.dev.json, so that a test run does not
// type-check the whole program per worker): the types of everything are checked here, once.
console.log('[lint] tsc -p tsconfig.dev.json --noEmit (types of the package, lab and tests)');
const types = run(bin('tsc'), ['-p', 'tsconfig.dev.json', '--noEmit'], root);

const stage = path.join(root, '.test-results', 'n8n-lint');
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
for (const entry of ['nodes', 'credentials', 'package.json', 'tsconfig.json']) {
	fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
}
const pkgFile = path.join(stage, 'package.json');
const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
const PLACEHOLDERS = {
	repository: () => (pkg.repository = { type: 'git', url: 'git+https://example.invalid/publisher/n8n-nodes-g2sentry.git' }),
	homepage: () => (pkg.homepage = 'https://example.invalid/publisher/n8n-nodes-g2sentry'),
	bugs: () => (pkg.bugs = { url: 'https://example.invalid/publisher/n8n-nodes-g2sentry/issues' }),
	'author.email': () => (pkg.author = { ...(typeof pkg.author === 'object' ? pkg.author : { name: pkg.author }), email: 'publisher@example.invalid' }),
};

// the very file `n8n-node lint` compares the package's config with
const template = path.join(root, 'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs');
fs.copyFileSync(template, path.join(stage, 'eslint.config.mjs'));
// `n8n-node lint` runs `npm exec -- eslint`: this link makes it the repository's installed ESLint
fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
/** The same test as missingPublisherFields in lab/release-check.mjs (which runs when imported). */
function missingPublisherFields() {
	const filled = (v) => typeof v === 'string' && v.trim().length > 0;
	const email = typeof pkg.author === 'string' ? /<([^>]*)>/.exec(pkg.author)?.[1] : pkg.author?.email;
	return [
		!filled(typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url) && 'repository',
		!filled(pkg.homepage) && 'homepage',
		!filled(typeof pkg.bugs === 'string' ? pkg.bugs : (pkg.bugs?.url ?? pkg.bugs?.email)) && 'bugs',
		!filled(email) && 'author.email',
	].filter(Boolean);
}

function main() {
	const missing = missingPublisherFields();
	for (const field of missing) PLACEHOLDERS[field]();
	fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
	if (missing.length) {
		console.log(`[lint] publisher fields missing from package.json: ${missing.join(', ')} (placeholders in the lint copy only; npm run release:check fails until they are filled)`);
	}
	console.log('[lint] n8n-node lint (strict mode, n8n\'s template config) on the package: nodes/, credentials/, package.json');
	const n8n = run(bin('n8n-node'), ['lint'], stage);
	process.exit(repo || types || n8n ? 1 : 0);
}

main();

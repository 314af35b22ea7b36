// `npm run lint`: the repository's ESLint configuration (eslint.config.mjs) over everything, then
// n8n's own checks on the package: `n8n-node lint` in strict mode insists on its template as the
// package's eslint.config.mjs, so it runs on a copy of what ships (nodes/, credentials/,
// package.json, tsconfig.json) laid out with that template, under .test-results/n8n-lint/.
// `npm run lint -- --fix` fixes through the repository's configuration (same n8n rules for the
// shipped code) and then runs n8n's checks. Exit status: non-zero when either finds an error.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const fix = process.argv.includes('--fix');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args, cwd) => spawnSync(cmd, args, { cwd, stdio: 'inherit' }).status ?? 1;

console.log('[lint] eslint . (eslint.config.mjs)');
const repo = run(bin('eslint'), ['.', ...(fix ? ['--fix'] : [])], root);

const stage = path.join(root, '.test-results', 'n8n-lint');
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });
for (const entry of ['nodes', 'credentials', 'package.json', 'tsconfig.json']) {
	fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
}
// the very file `n8n-node lint` compares the package's config with
const template = path.join(root, 'node_modules/@n8n/node-cli/dist/template/templates/shared/default/eslint.config.mjs');
fs.copyFileSync(template, path.join(stage, 'eslint.config.mjs'));
// `n8n-node lint` runs `npm exec -- eslint`: this link makes it the repository's installed ESLint
fs.symlinkSync(path.join(root, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
console.log('[lint] n8n-node lint (strict mode, n8n\'s template config) on the package: nodes/, credentials/, package.json');
const n8n = run(bin('n8n-node'), ['lint'], stage);

process.exit(repo || n8n ? 1 : 0);

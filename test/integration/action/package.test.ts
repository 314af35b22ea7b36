/**
 * What `npm pack` would publish: built in a scratch copy of the package (so it never races a
 * build in the checkout), then listed with `npm pack --dry-run --json`. Only dist/, README,
 * LICENSE and package.json may ship; everything n8n loads must be in dist/; and our build (tsc +
 * gulp) produces exactly what n8n's `n8n-node build` produces. (The scanner's rules on source and
 * tarball: test/integration/release-check.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
let dir = '';
let packed: string[] = [];
let ourBuild = '';

function run(command: string, args: string[]) {
	const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
	return result.stdout;
}

beforeAll(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'g2s-pack-'));
	for (const entry of ['package.json', 'README.md', 'LICENSE', 'index.js', 'gulpfile.js', 'tsconfig.json', 'nodes', 'credentials']) {
		if (existsSync(path.join(root, entry))) cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
	}
	symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
	run(bin('tsc'), ['-p', 'tsconfig.json']);
	run(bin('gulp'), ['build']);
	const listing = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'])) as Array<{ files: Array<{ path: string }> }>;
	packed = listing[0].files.map((f) => f.path).sort();
	// then n8n's own build into dist/ (it empties dist/ first); ours is kept outside the folder,
	// where n8n-node's copy of every image in the project cannot see it
	ourBuild = `${dir}-ours`;
	renameSync(path.join(dir, 'dist'), ourBuild);
	run(bin('n8n-node'), ['build']);
}, 300_000);

afterAll(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
	if (ourBuild) rmSync(ourBuild, { recursive: true, force: true });
});

it('ships only dist/, README.md, LICENSE and package.json', () => {
	const outside = packed.filter((file) => !file.startsWith('dist/'));
	expect(outside).toEqual(['LICENSE', 'README.md', 'package.json']);
	expect(packed.some((file) => /\.ts$|\.test\.|^dist\/(test|lab)\//.test(file))).toBe(false);
});

it('ships every credential and node n8n is told to load, with their icons and codex', () => {
	const { n8n } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
		n8n: { credentials: string[]; nodes: string[] };
	};
	const declared = [...n8n.credentials, ...n8n.nodes].filter((file) =>
		// a node whose source is not in this checkout yet (another branch) cannot be built here
		existsSync(path.join(dir, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'))),
	);
	expect(declared).toEqual(expect.arrayContaining(['dist/credentials/G2SentryApi.credentials.js', 'dist/nodes/G2Sentry/G2Sentry.node.js']));
	for (const file of declared) expect(packed).toContain(file);
	for (const node of declared.filter((file) => file.endsWith('.node.js'))) {
		expect(packed).toContain(node.replace(/\.js$/, '.json'));
	}
	expect(packed).toEqual(expect.arrayContaining(['dist/nodes/icons/g2sentry.svg', 'dist/nodes/icons/g2sentry.dark.svg']));
});

it('loads from dist/ the way n8n does and describes the same node and credential', () => {
	const { G2Sentry } = require(path.join(dir, 'dist/nodes/G2Sentry/G2Sentry.node.js'));
	const { G2SentryApi } = require(path.join(dir, 'dist/credentials/G2SentryApi.credentials.js'));
	const node = new G2Sentry();
	const credential = new G2SentryApi();
	expect(node.description.name).toBe('g2Sentry');
	expect(node.description.usableAsTool).toBe(true);
	expect(credential.name).toBe('g2SentryApi');
	// icon paths resolve inside dist/ from where the compiled files sit
	for (const [file, icon] of [
		['dist/nodes/G2Sentry', node.description.icon],
		['dist/credentials', credential.icon],
	] as const) {
		for (const variant of Object.values(icon as Record<string, string>)) {
			expect(existsSync(path.join(dir, file, variant.replace(/^file:/, '')))).toBe(true);
		}
	}
});

/** Every file under `base`, relative, with its bytes. */
function tree(base: string): Map<string, string> {
	const files = new Map<string, string>();
	for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
		if (!entry.isFile()) continue;
		const full = path.join(entry.parentPath, entry.name);
		files.set(path.relative(base, full), readFileSync(full).toString('base64'));
	}
	return files;
}

it('builds exactly what `n8n-node build` builds: the same files with the same bytes', () => {
	const ours = tree(ourBuild);
	const n8ns = tree(path.join(dir, 'dist'));
	expect([...ours.keys()].sort()).toEqual([...n8ns.keys()].sort());
	const differing = [...ours].filter(([file, bytes]) => n8ns.get(file) !== bytes).map(([file]) => file);
	expect(differing).toEqual([]);
	// the codex and the icons are part of both, not only the compiled code
	expect([...ours.keys()]).toEqual(expect.arrayContaining(['nodes/G2Sentry/G2Sentry.node.json', 'nodes/icons/g2sentry.svg']));
});

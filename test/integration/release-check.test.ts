/**
 * `npm run release:check` (lab/release-check.mjs): the n8n scanner's lint legs on the source
 * and on the packed tarball. On this checkout it must fail for exactly the publisher fields we
 * cannot fill in (repository, homepage, bugs, author.email) and nothing else; given a copy whose
 * package.json has them (placeholder values, in a scratch folder only), it must pass — so it is
 * those fields, and only those, that stand between the package and the scanner.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const PUBLISHER_FIELDS = ['repository', 'homepage', 'bugs', 'author.email'];

function releaseCheck(args: string[] = []): Promise<{ status: number | null; lines: string[] }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [path.join(root, 'lab/release-check.mjs'), ...args], { cwd: root });
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		child.stderr.on('data', (chunk) => (out += chunk));
		child.on('error', reject);
		child.on('close', (status) => resolve({ status, lines: out.split('\n').filter(Boolean) }));
	});
}

const withPrefix = (lines: string[], prefix: string) => lines.filter((line) => line.startsWith(prefix));

const scratches: string[] = [];
afterAll(() => {
	for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});

/** A scratch copy of the package's build inputs, its package.json with the publisher fields filled. */
function filledInCopy(): string {
	const scratch = mkdtempSync(path.join(tmpdir(), 'g2s-release-check-test-'));
	scratches.push(scratch);
	for (const entry of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'tsconfig.json', 'gulpfile.js', 'index.js', 'nodes', 'credentials']) {
		cpSync(path.join(root, entry), path.join(scratch, entry), { recursive: true });
	}
	const pkg = JSON.parse(readFileSync(path.join(scratch, 'package.json'), 'utf8'));
	Object.assign(pkg, {
		repository: { type: 'git', url: 'git+https://example.invalid/publisher/n8n-nodes-g2sentry.git' },
		homepage: 'https://example.invalid/publisher/n8n-nodes-g2sentry',
		bugs: { url: 'https://example.invalid/publisher/n8n-nodes-g2sentry/issues' },
		author: { ...pkg.author, email: 'publisher@example.invalid' },
	});
	writeFileSync(path.join(scratch, 'package.json'), JSON.stringify(pkg, null, 2));
	return scratch;
}

it('fails on this checkout naming exactly the four missing publisher fields, and nothing else', async () => {
	const { status, lines } = await releaseCheck();
	expect(withPrefix(lines, 'MISSING publisher field:').map((line) => line.split(/[: ]+/)[3])).toEqual(PUBLISHER_FIELDS);
	expect(withPrefix(lines, 'FAIL')).toEqual([]);
	expect(status).toBe(1);
	// both legs ran over real files, and the scanner's own finding about the author was the email
	expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^scanner lint, source: \d+ files, 1 error\(s\)/)]));
	expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^scanner lint, tarball: \d+ files, 1 error\(s\)/)]));
	expect(lines).toContain('release check failed: 4 missing publisher field(s), 0 other finding(s)');
}, 240_000);

it('passes once package.json has the publisher fields (placeholders, in a scratch copy)', async () => {
	const { status, lines } = await releaseCheck(['--root', filledInCopy()]);
	expect(withPrefix(lines, 'MISSING')).toEqual([]);
	expect(withPrefix(lines, 'FAIL')).toEqual([]);
	expect(lines).toContain('release check passed');
	expect(status).toBe(0);
}, 240_000);

it('fails on any other scanner finding, even behind an eslint-disable comment, on both legs', async () => {
	const scratch = filledInCopy();
	const file = path.join(scratch, 'nodes/G2Sentry/G2Sentry.node.ts');
	writeFileSync(file, `${readFileSync(file, 'utf8')}\n// eslint-disable-next-line no-console\nconsole.log('left in by mistake');\n`);
	const { status, lines } = await releaseCheck(['--root', scratch]);
	expect(withPrefix(lines, 'FAIL')).toEqual([
		expect.stringMatching(/^FAIL source nodes\/G2Sentry\/G2Sentry\.node\.ts:\d+ no-console/),
		expect.stringMatching(/^FAIL tarball dist\/nodes\/G2Sentry\/G2Sentry\.node\.js:\d+ no-console/),
	]);
	expect(status).toBe(1);
}, 240_000);

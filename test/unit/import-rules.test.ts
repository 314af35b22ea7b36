/**
 * The import rules of ARCHITECTURE.md, checked on the source: every import of nodes/ and
 * credentials/ is read with TypeScript's own pre-processor and resolved to a file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
	return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
	);
}

/** [importing file, imported module]: a relative import as a path from the root, without extension. */
const imports: Array<[string, string]> = [...sourceFiles('nodes'), ...sourceFiles('credentials')].flatMap((file) =>
	ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8')).importedFiles.map(({ fileName }): [string, string] => [
		file,
		fileName.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), fileName)) : fileName,
	]),
);

const where = (pairs: Array<[string, string]>) => pairs.map(([file, module]) => `${file} → ${module}`);

describe('ARCHITECTURE.md import rules', () => {
	it('reads the imports (the check below has something to check)', () => {
		expect(imports).toContainEqual(['nodes/shared/fetchJob.ts', 'nodes/shared/values']);
	});

	it('nodes/ and credentials/ import only n8n-workflow, node:crypto and each other', () => {
		const outside = imports.filter(([, module]) => !/^(nodes|credentials)\//.test(module) && !['n8n-workflow', 'node:crypto'].includes(module));
		expect(where(outside)).toEqual([]);
	});

	it('nodes/shared/ imports nothing from either node (it holds what both use)', () => {
		const upward = imports.filter(
			([file, module]) => file.startsWith('nodes/shared/') && module.startsWith('nodes/') && !module.startsWith('nodes/shared/'),
		);
		expect(where(upward)).toEqual([]);
	});

	it('the credential reaches the transport only through its authentication home', () => {
		const reached = imports.filter(([file, module]) => file.startsWith('credentials/') && module.startsWith('nodes/shared/transport/'));
		expect(where(reached)).toEqual(['credentials/G2SentryApi.credentials.ts → nodes/shared/transport/authentication']);
	});

	it('no module of nodes/shared/ or credentials/ re-exports another\'s: callers import from the home module', () => {
		const reExports = [...sourceFiles('nodes/shared'), ...sourceFiles('credentials')].flatMap((file) =>
			readFileSync(join(ROOT, file), 'utf8')
				.split('\n')
				.filter((line) => /^export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s/.test(line) || /^export const \w+ = [A-Za-z_$][\w$]*;$/.test(line))
				.map((line) => `${file}: ${line}`),
		);
		expect(reExports).toEqual([]);
	});
});

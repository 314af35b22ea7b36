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

	it('only the credential reaches past nodes/shared/transport/index.ts', () => {
		const internal = imports.filter(
			([file, module]) =>
				/^nodes\/shared\/transport\/(?!index$)/.test(module) && !file.startsWith('nodes/shared/transport/') && !file.startsWith('credentials/'),
		);
		expect(where(internal)).toEqual([]);
	});
});

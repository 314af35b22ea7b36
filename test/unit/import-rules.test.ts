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

/**
 * What in `text` hands on another module's names: `export … from '…'` (on any number of lines)
 * and `export const x = y;` where `y` is imported. A module's own constants may alias each other.
 */
function reExports(file: string, text: string): string[] {
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
	const imported = new Set(
		source.statements.flatMap((statement) => {
			const clause = ts.isImportDeclaration(statement) ? statement.importClause : undefined;
			const bindings = clause?.namedBindings;
			return [
				...(clause?.name ? [clause.name.text] : []),
				...(bindings && ts.isNamedImports(bindings) ? bindings.elements.map((element) => element.name.text) : []),
				...(bindings && ts.isNamespaceImport(bindings) ? [bindings.name.text] : []),
			];
		}),
	);
	const exportedAlias = (statement: ts.Statement) =>
		ts.isVariableStatement(statement) &&
		statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) === true &&
		statement.declarationList.declarations.some((declaration) => declaration.initializer !== undefined && ts.isIdentifier(declaration.initializer) && imported.has(declaration.initializer.text));
	return source.statements
		.filter((statement) => (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined) || exportedAlias(statement))
		.map((statement) => statement.getText(source));
}

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

	it('no module of nodes/ or credentials/ re-exports another\'s: callers import from the home module', () => {
		const found = [...sourceFiles('nodes'), ...sourceFiles('credentials')].flatMap((file) =>
			reExports(file, readFileSync(join(ROOT, file), 'utf8')).map((line) => `${file}: ${line}`),
		);
		expect(found).toEqual([]);
	});

	it('the re-export check sees a re-export spread over several lines, and an alias', () => {
		const text = [
			"import { createStore } from './eventStore';",
			"export {\n\tloadStore,\n\ttype EventStore,\n} from './eventStore';",
			'export const store = createStore;',
			'const local = 5;',
			'export const alsoLocal = local;',
		].join('\n');
		expect(reExports('x.ts', text)).toEqual(["export {\n\tloadStore,\n\ttype EventStore,\n} from './eventStore';", 'export const store = createStore;']);
	});
});

/**
 * The repository's import graph, for the import rules test (test/unit/lab-imports.test.ts): every
 * import, `export … from`, `require()` and `import()` of each .ts/.js/.mjs file, read with
 * TypeScript's own pre-processor, a relative one resolved to the file it loads.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

export const REPO_ROOT = resolve(__dirname, '../..');

const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'coverage', '.git', '.test-results', '.e2e']);
const SOURCE = /\.(ts|js|mjs)$/;

/** One import: `from` a repository file (path from the root) of `to`, a package name or a file. */
export interface ImportEdge {
	from: string;
	to: string;
	/** false for a relative import that names no file: a broken path */
	resolved: boolean;
}

/** The source files under `dir` (a path from the root), at any depth. */
export function sourceFilesUnder(dir: string): string[] {
	const full = join(REPO_ROOT, dir);
	if (!existsSync(full)) return [];
	return readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
		const path = dir === '.' ? entry.name : join(dir, entry.name);
		if (entry.isDirectory()) return SKIPPED_FOLDERS.has(entry.name) ? [] : sourceFilesUnder(path);
		return SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
	});
}

/** The file a relative import loads, as Node and TypeScript find it (extension, then index). */
function resolveRelative(from: string, specifier: string): string | undefined {
	const base = join(dirname(from), specifier);
	const candidates = [base, ...['.ts', '.js', '.mjs', '.json'].map((ext) => base + ext), join(base, 'index.ts'), join(base, 'index.js')];
	return candidates.find((file) => existsSync(join(REPO_ROOT, file)) && statSync(join(REPO_ROOT, file)).isFile());
}

export function readImports(files: string[]): ImportEdge[] {
	return files.flatMap((from) =>
		ts.preProcessFile(readFileSync(join(REPO_ROOT, from), 'utf8'), true, true).importedFiles.map(({ fileName }): ImportEdge => {
			if (!fileName.startsWith('.')) return { from, to: fileName, resolved: true };
			const file = resolveRelative(from, fileName);
			return { from, to: file ?? relative(REPO_ROOT, resolve(REPO_ROOT, dirname(from), fileName)), resolved: file !== undefined };
		}),
	);
}

/** The import cycles among the files `inScope` accepts: each a list of files that reach one
 * another (the strongly connected components of more than one file, or a file importing itself). */
export function importCycles(edges: ImportEdge[], inScope: (file: string) => boolean): string[][] {
	const next = new Map<string, string[]>();
	for (const { from, to } of edges) {
		if (!inScope(from) || !inScope(to)) continue;
		next.set(from, [...(next.get(from) ?? []), to]);
	}
	// Tarjan's algorithm
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const found: string[][] = [];
	const visit = (file: string): void => {
		index.set(file, index.size);
		low.set(file, index.get(file)!);
		stack.push(file);
		onStack.add(file);
		for (const to of next.get(file) ?? []) {
			if (!index.has(to)) {
				visit(to);
				low.set(file, Math.min(low.get(file)!, low.get(to)!));
			} else if (onStack.has(to)) low.set(file, Math.min(low.get(file)!, index.get(to)!));
		}
		if (low.get(file) !== index.get(file)) return;
		const component: string[] = [];
		let member: string;
		do {
			member = stack.pop()!;
			onStack.delete(member);
			component.push(member);
		} while (member !== file);
		if (component.length > 1 || (next.get(file) ?? []).includes(file)) found.push(component.sort());
	};
	for (const file of next.keys()) if (!index.has(file)) visit(file);
	return found;
}

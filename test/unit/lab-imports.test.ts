/**
 * The import rules of ARCHITECTURE.md over the whole repository (lab/helpers/import-graph.ts reads
 * every import): the package imports only n8n-workflow, node:crypto and itself; the lab (lab/)
 * never imports from test/, so tests use the lab and never the other way round; and no files of the
 * lab or the tests import one another in a cycle.
 */
import { importCycles, readImports, sourceFilesUnder, type ImportEdge } from '../../lab/helpers/import-graph';

const edges = readImports(sourceFilesUnder('.'));

const PACKAGE = /^(nodes|credentials)\//;
const LAB_OR_TEST = (file: string) => /^(lab|test)\//.test(file);

const where = (found: ImportEdge[]) => found.map(({ from, to }) => `${from} → ${to}`);

/** The imports of the package that leave it for anything but its one dependency and node:crypto. */
const packageLeaks = (all: ImportEdge[]) =>
	all.filter(({ from, to }) => PACKAGE.test(from) && !PACKAGE.test(to) && !['n8n-workflow', 'node:crypto'].includes(to));

const labIntoTests = (all: ImportEdge[]) => all.filter(({ from, to }) => from.startsWith('lab/') && to.startsWith('test/'));

describe('import rules of the whole repository', () => {
	it('reads every part (the checks below have something to check)', () => {
		for (const edge of [
			{ from: 'nodes/shared/fetchJob.ts', to: 'nodes/shared/values.ts' },
			{ from: 'lab/bench/run.ts', to: 'lab/bench/micro.ts' },
			{ from: 'lab/bench/micro.ts', to: 'lab/helpers/webhook-context.ts' }, // a require() inside a function
			{ from: 'lab/test.js', to: 'lab/n8n-runtime.js' },
			{ from: 'jest.config.js', to: 'lab/n8n-runtime.js' },
		]) {
			expect(edges).toContainEqual({ ...edge, resolved: true });
		}
	});

	it('every relative import names a file that exists', () => {
		expect(where(edges.filter(({ resolved }) => !resolved))).toEqual([]);
	});

	it('nodes/ and credentials/ import only n8n-workflow, node:crypto and each other', () => {
		expect(where(packageLeaks(edges))).toEqual([]);
	});

	it('the lab imports nothing from test/', () => {
		expect(where(labIntoTests(edges))).toEqual([]);
	});

	it('no files of the lab or the tests import one another in a cycle', () => {
		expect(importCycles(edges, LAB_OR_TEST)).toEqual([]);
	});

	it('each check finds what it forbids', () => {
		const wrong: ImportEdge[] = [
			{ from: 'nodes/shared/values.ts', to: 'node:fs', resolved: true },
			{ from: 'credentials/G2SentryApi.credentials.ts', to: 'lab/sandbox/index.ts', resolved: true },
			{ from: 'lab/bench/micro.ts', to: 'test/unit/events.test.ts', resolved: true },
			{ from: 'lab/helpers/harness/a.ts', to: 'lab/helpers/harness/b.ts', resolved: true },
			{ from: 'lab/helpers/harness/b.ts', to: 'lab/helpers/harness/c.ts', resolved: true },
			{ from: 'lab/helpers/harness/c.ts', to: 'lab/helpers/harness/a.ts', resolved: true },
			{ from: 'test/e2e/x.ts', to: 'test/e2e/x.ts', resolved: true },
		];
		expect(where(packageLeaks(wrong))).toEqual(['nodes/shared/values.ts → node:fs', 'credentials/G2SentryApi.credentials.ts → lab/sandbox/index.ts']);
		expect(where(labIntoTests(wrong))).toEqual(['lab/bench/micro.ts → test/unit/events.test.ts']);
		expect(importCycles(wrong, LAB_OR_TEST)).toEqual([
			['lab/helpers/harness/a.ts', 'lab/helpers/harness/b.ts', 'lab/helpers/harness/c.ts'],
			['test/e2e/x.ts'],
		]);
	});
});

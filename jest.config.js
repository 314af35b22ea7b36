/** Jest runs every suite under test/: unit (pure code), integration (real HTTP against a sandbox
 * started in the test) and e2e (a real n8n process with the packed package) — all but
 * test/reliability, which has its own run (`npm run test:reliability`).
 *
 * The e2e suites run once per n8n version of the matrix, each version a Jest project of its own
 * ("e2e n8n <version>", the version handed to the tests as the global G2S_N8N_VERSION): by default
 * only the current version; with CI set, the versions CI proves; G2S_N8N_VERSIONS=a,b picks them
 * (see testedN8nVersions in lab/n8n-runtime.js). One Jest run, so one results file whose
 * counts cover every version. */
const { testedN8nVersions, N8N_VERSION } = require('./lab/n8n-runtime');

/** Suites about the current n8n only: its editor UI and the demo (Data Tables exist from 2.x on),
 * the AI Agent tool, queue mode and the benchmarks' smoke runs. The other versions of the matrix
 * run the suites whose behaviour depends on how that n8n hands answers, errors, webhooks and
 * static data to a node (trigger, actions, API answers, harness). */
const CURRENT_VERSION_ONLY = ['editor-in-browser', 'ai-agent-tool', 'queue-mode', 'catch-up-queue-mode', 'bench-smoke', 'bench-queue-smoke'].map(
	(name) => `/test/e2e/${name}\\.test\\.ts$`,
);

const shared = {
	testEnvironment: 'node',
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: { warnOnly: false } }],
	},
};

/** Two suites at a time (G2S_JEST_WORKERS to change): Jest's default on a 2-core machine is one,
 * which ran the three n8n versions' e2e suites one after the other although each mostly waits on
 * its n8n process. More than a few would each hold an n8n in memory. */
const WORKERS = Number(process.env.G2S_JEST_WORKERS) || 2;

module.exports = {
	testTimeout: 30000,
	maxWorkers: WORKERS,
	projects: [
		{ ...shared, displayName: 'unit + integration', roots: ['<rootDir>/test'], testPathIgnorePatterns: ['/test/e2e/', '/test/reliability/'] },
		...testedN8nVersions().map((version) => ({
			...shared,
			displayName: `e2e n8n ${version}`,
			roots: ['<rootDir>/test/e2e'],
			testPathIgnorePatterns: version === N8N_VERSION ? [] : CURRENT_VERSION_ONLY,
			globals: { G2S_N8N_VERSION: version },
		})),
	],
};

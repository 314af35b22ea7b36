/** Jest runs every suite under test/: unit (pure code), integration (real HTTP against a sandbox
 * started in the test) and e2e (a real n8n process with the packed package) — all but
 * test/reliability, which has its own run (`npm run test:reliability`).
 *
 * The e2e suites run once per n8n version of the matrix, each version a Jest project of its own
 * ("e2e n8n <version>", the version handed to the tests as the global G2S_N8N_VERSION): by default
 * only the current version; with CI set, the versions CI proves; G2S_N8N_VERSIONS=a,b picks them
 * (see testedN8nVersions in scripts/n8n-runtime.js). One Jest run, so one results file whose
 * counts cover every version. */
const { testedN8nVersions } = require('./scripts/n8n-runtime');

const shared = {
	testEnvironment: 'node',
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
	},
};

module.exports = {
	testTimeout: 30000,
	projects: [
		{ ...shared, displayName: 'unit + integration', roots: ['<rootDir>/test'], testPathIgnorePatterns: ['/test/e2e/', '/test/reliability/'] },
		...testedN8nVersions().map((version) => ({
			...shared,
			displayName: `e2e n8n ${version}`,
			roots: ['<rootDir>/test/e2e'],
			globals: { G2S_N8N_VERSION: version },
		})),
	],
};

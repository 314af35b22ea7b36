/** Jest runs every suite under test/: unit (pure code), integration (real HTTP against a sandbox
 * started in the test) and e2e (a real n8n process with the packed package). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: { warnOnly: false } }],
	},
	testTimeout: 30000,
};

/** Jest runs every suite under test/: unit (pure code), integration (real HTTP against a sandbox
 * started in the test) and e2e (a real n8n process with the packed package) — all but
 * test/reliability, which has its own run. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// the reliability figures run on their own (`npm run test:reliability`, jest.reliability.config.js)
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/reliability/'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
	},
	testTimeout: 30000,
};

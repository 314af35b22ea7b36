/** `npm run test:reliability`: the figures R1..R8 (test/reliability), one file, in band, sharing one
 * real n8n. G2S_RELIABILITY_SCALE sizes the run (1 = full size), G2S_SEED replays one. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/reliability'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: { warnOnly: false } }],
	},
	testTimeout: 30 * 60 * 1000,
	maxWorkers: 1,
};

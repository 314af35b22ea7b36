/** `npm run test:fast`, the inner loop: the unit and integration suites of jest.config.js (the
 * sandbox over real HTTP), less those that build and pack the whole package (the package's
 * contents, the release check's scanner legs), which take minutes and run with `npm test`. */
const { projects, maxWorkers } = require('./jest.config');

const unitAndIntegration = projects.find((p) => p.displayName === 'unit + integration');

module.exports = {
	testTimeout: 30000,
	maxWorkers,
	...unitAndIntegration,
	displayName: 'fast',
	rootDir: __dirname,
	testPathIgnorePatterns: [...unitAndIntegration.testPathIgnorePatterns, '/test/integration/.*(package|release)[^/]*\\.test\\.ts$'],
};

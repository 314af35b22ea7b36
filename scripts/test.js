// The README's test command (`npm test`): Jest over test/, with its JSON results written to
// .test-results/jest.json so that .ci/run can count them. Extra arguments go to Jest
// (`npm test -- test/unit` runs only the unit tests). `npm run test:reliability` runs it with
// its own Jest config and G2S_RESULTS_NAME=reliability (results in .test-results/reliability.json).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, '.test-results', `${process.env.G2S_RESULTS_NAME || 'jest'}.json`);
const jest = require.resolve('jest/bin/jest');
require('node:fs').mkdirSync(path.dirname(out), { recursive: true });
const result = spawnSync(process.execPath, [jest, '--json', `--outputFile=${out}`, ...process.argv.slice(2)], {
	cwd: root,
	stdio: 'inherit',
});
process.exit(result.status ?? 1);

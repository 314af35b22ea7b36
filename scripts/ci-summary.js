// Prints the one line CI reads, "N passed, N failed", from Jest's JSON results. A missing or
// unreadable results file (Jest crashed before writing it) counts as one failure.
const fs = require('node:fs');

const file = process.argv[2];
try {
	const r = JSON.parse(fs.readFileSync(file, 'utf8'));
	// suites that failed to run at all (syntax error, setup crash) report no test results
	const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
	console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed`);
} catch (error) {
	console.log(`0 passed, 1 failed`);
	console.error(`no readable Jest results at ${file}: ${error.message}`);
}

// Prints the one line CI reads, "N passed, N failed", from Jest's JSON results: one file or
// several (the main suite and the reliability figures), summed. A missing or unreadable results
// file (Jest crashed before writing it) counts as one failure.
const fs = require('node:fs');

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
	try {
		const r = JSON.parse(fs.readFileSync(file, 'utf8'));
		// suites that failed to run at all (syntax error, setup crash) report no test results
		const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
		passed += r.numPassedTests;
		failed += r.numFailedTests + brokenSuites;
	} catch (error) {
		failed += 1;
		console.error(`no readable Jest results at ${file}: ${error.message}`);
	}
}
console.log(`${passed} passed, ${failed} failed`);

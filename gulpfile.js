// The half of the build tsc does not do: copies the node and credential icons (SVG/PNG) and any
// `__schema__` JSON into dist/, beside the compiled files that reference them. tsc (tsconfig.json)
// compiles the TypeScript and emits the codex files (X.node.json) itself, as in n8n's node
// template. Together they produce what `n8n-node build` produces (test/integration/action/
// package.test.ts compares the two trees file by file).
const { src, dest } = require('gulp');

function copyStaticFiles() {
	return src(['{nodes,credentials}/**/*.{png,svg}', '{nodes,credentials}/**/__schema__/**/*.json'], {
		base: '.',
		encoding: false,
		allowEmpty: true,
	}).pipe(dest('dist'));
}

exports.build = copyStaticFiles;
exports.default = copyStaticFiles;

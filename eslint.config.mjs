// The one ESLint configuration of the repository (`npx eslint .` needs no flag):
// - what ships (nodes/, credentials/, package.json): n8n's own community-node config, exactly as
//   `n8n-node lint` applies it (imported from @n8n/node-cli, only scoped to those paths);
// - the development code (lab/, test/, the root's *.js): the general JavaScript
//   and TypeScript recommendations n8n's config also starts from, without the community-node rules
//   that forbid what this code needs (network, timers, child processes, the console).
// n8n's strict mode wants its template as the package's eslint.config.mjs: `npm run lint`
// (lab/lint.js) runs `n8n-node lint` on a copy of the package laid out that way.
import js from '@eslint/js';
import { config as n8nConfig } from '@n8n/node-cli/eslint';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const SHIPPED_TS = ['nodes/**/*.ts', 'credentials/**/*.ts'];

/** n8n's blocks, those for every *.ts narrowed to the shipped code. */
const n8nForShippedCode = n8nConfig.map((block) =>
	block.files?.some((glob) => glob === '**/*.ts') ? { ...block, files: SHIPPED_TS } : block,
);

export default tseslint.config(
	{ ignores: ['dist/**', 'coverage/**', '.test-results/**', '.e2e/**'] },
	...n8nForShippedCode,
	{
		files: ['**/*.ts', '**/*.js', '**/*.mjs'],
		ignores: SHIPPED_TS,
		extends: [js.configs.recommended, tseslint.configs.recommended],
		languageOptions: { globals: { ...globals.node } },
		rules: {
			// `const { secret: _secret, ...rest } = x` drops a field on purpose
			'@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
			// tests and the harness load built files (dist/, n8n's own modules) by a path known only
			// at run time, and probe answers of any shape on purpose
			'@typescript-eslint/no-require-imports': 'off',
			'@typescript-eslint/no-explicit-any': 'off',
		},
	},
	// the scripts and configs in plain JavaScript are CommonJS (package.json has no "type")
	{ files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' } },
);

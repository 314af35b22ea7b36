// ESLint for the development code under sandbox/, scripts/ and test/ (see sandbox/eslint.config.mjs):
// the general JavaScript and TypeScript recommendations n8n's default config also starts from,
// without the community-node rules that only make sense for code running inside n8n.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ files: ['**/*.ts'], extends: [js.configs.recommended, tseslint.configs.recommended] },
	{
		files: ['**/*.ts'],
		rules: {
			// `const { secret: _secret, ...rest } = x` drops a field on purpose
			'@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
			// tests and the harness load built files (dist/, n8n's own modules) by a path known only
			// at run time, and probe answers of any shape on purpose
			'@typescript-eslint/no-require-imports': 'off',
			'@typescript-eslint/no-explicit-any': 'off',
		},
	},
);

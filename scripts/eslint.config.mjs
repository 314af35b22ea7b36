// Development code (sandbox, scripts, tests): never published, runs on Node with the network,
// timers and child processes that n8n's community rules rightly forbid in nodes. n8n's default
// config at the root stays untouched and lints what ships (nodes/, credentials/, package.json);
// `npm run lint` turns on ESLint's per-directory config lookup so this file applies here instead.
export { default } from '../eslint.dev.config.mjs';

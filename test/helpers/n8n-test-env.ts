/**
 * Imported before n8n-core: n8n's instance settings write a config file into the user folder,
 * so point that at a throw-away directory instead of ~/.n8n.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'g2s-n8n-'));
}
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';

/**
 * Imported before n8n-core: n8n's instance settings write a config file into the user folder,
 * so point that at a throw-away directory instead of ~/.n8n.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.N8N_USER_FOLDER) {
	// One folder per Jest worker, reused by every run: exit hooks do not fire reliably in Jest
	// workers, so a fresh folder per run would pile up in /tmp.
	const folder = join(tmpdir(), `g2s-n8n-test-worker-${process.env.JEST_WORKER_ID ?? '0'}`);
	mkdirSync(folder, { recursive: true });
	process.env.N8N_USER_FOLDER = folder;
}
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';

// A fresh n8n user folder pays for every database migration of its n8n version (a few hundred)
// on its first CLI command: seconds for each e2e suite that sets up an n8n of its own. The
// harness migrates one empty sqlite database per n8n version instead, kept in the temp folder, and
// copies it into each new user folder: the tables and rows that first command would have made, no
// owner, no credentials (nothing in it is encrypted, so each instance keeps its own key).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The database and its write-ahead log (n8n runs sqlite in WAL mode); the shared-memory index is rebuilt on open. */
const DATABASE_FILES = ['database.sqlite', 'database.sqlite-wal'];

export function copyDatabaseFiles(fromDir: string, toDir: string): void {
	fs.mkdirSync(toDir, { recursive: true });
	for (const file of DATABASE_FILES) {
		if (fs.existsSync(path.join(fromDir, file))) fs.copyFileSync(path.join(fromDir, file), path.join(toDir, file));
	}
}

/**
 * Copies the migrated empty database of n8n `version` into `toDir` (a user folder's `.n8n`),
 * making it first with `migrate(into)` when there is none yet. Two processes that make it at the
 * same time each use their own; the first one renamed into place is kept.
 */
export async function copyMigratedDatabase(version: string, toDir: string, migrate: (into: string) => Promise<void>): Promise<void> {
	const template = path.join(os.tmpdir(), `g2s-n8n-migrated-database-${version}`);
	if (!fs.existsSync(path.join(template, DATABASE_FILES[0]))) {
		const making = fs.mkdtempSync(`${template}-making-`);
		try {
			await migrate(making);
			fs.renameSync(making, template);
		} catch (error) {
			fs.rmSync(making, { recursive: true, force: true });
			// another process put its copy in place first: use that one
			if (!fs.existsSync(path.join(template, DATABASE_FILES[0]))) throw error;
		}
	}
	copyDatabaseFiles(template, toDir);
}

// The real n8n the benchmarks run in: the packed package installed as n8n's community-package
// installer does, several credentials and workflows imported, the workflows published, optional
// pre-seeded static data, then `n8n start` with every webhook registered.
import { N8nInstance, installCommunityPackage, type Workflow } from '../helpers/harness';
import { sleep } from './stats';

export interface LabOptions {
	tarball: string;
	credentials: object[];
	workflows: Workflow[];
	/** webhook URLs (relative to n8n's base URL) to wait for after start */
	webhookPaths: string[];
	/** static data to write into workflows before start, by workflow id */
	staticData?: Record<string, object>;
	env?: Record<string, string>;
	log: (line: string) => void;
}

export async function startLab(options: LabOptions): Promise<N8nInstance> {
	const n8n = new N8nInstance({ env: options.env, log: options.log });
	try {
		const { log } = options;
		await n8n.prepare();
		await installCommunityPackage(n8n.userFolder, options.tarball);
		log('  n8n: package installed; importing');
		await n8n.importCredentials(options.credentials);
		await n8n.importWorkflows(options.workflows);
		log('  n8n: imported; publishing');
		publishImported(n8n.databaseFile, options.workflows.map((wf) => wf.id));
		if (options.staticData) writeStaticData(n8n.databaseFile, options.staticData);
		log('  n8n: published; starting');
		await n8n.start();
		for (const path of options.webhookPaths) await n8n.waitForWebhook(`${n8n.baseUrl}/${path}`);
		return n8n;
	} catch (error) {
		await n8n.dispose();
		throw error;
	}
}

function sqlite(file: string, readOnly: boolean) {
	 
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	return new DatabaseSync(file, { readOnly });
}

/**
 * Publishes imported workflows while n8n is stopped with the one write `n8n publish:workflow`
 * makes (its WorkflowRepository.publishVersion: active, and the current version as the active
 * one, which the import recorded in workflow_history), for all of them at once instead of one
 * CLI process each (~25 s apiece on a busy machine).
 */
export function publishImported(databaseFile: string, ids: string[]): void {
	const db = sqlite(databaseFile, false);
	try {
		const stmt = db.prepare(
			'UPDATE workflow_entity SET active = 1, activeVersionId = versionId WHERE id = ? AND ' +
				'EXISTS (SELECT 1 FROM workflow_history h WHERE h.workflowId = workflow_entity.id AND h.versionId = workflow_entity.versionId)',
		);
		for (const id of ids) {
			if (Number(stmt.run(id).changes) !== 1) throw new Error(`workflow ${id} has no imported version to publish`);
		}
	} finally {
		db.close();
	}
}

/** Writes workflows' static data while n8n is stopped (as n8n itself saves it: one JSON blob). */
export function writeStaticData(databaseFile: string, byWorkflow: Record<string, object>): void {
	const db = sqlite(databaseFile, false);
	try {
		const stmt = db.prepare('UPDATE workflow_entity SET staticData = ? WHERE id = ?');
		for (const [id, data] of Object.entries(byWorkflow)) {
			const { changes } = stmt.run(JSON.stringify(data), id);
			if (Number(changes) !== 1) throw new Error(`no workflow ${id} to seed`);
		}
	} finally {
		db.close();
	}
}

export function readStaticData(databaseFile: string, workflowId: string): string {
	const db = sqlite(databaseFile, true);
	try {
		const row = db.prepare('SELECT staticData FROM workflow_entity WHERE id = ?').get(workflowId) as { staticData: string | null } | undefined;
		return row?.staticData ?? '';
	} finally {
		db.close();
	}
}

/** Executions of a workflow by status (a cheap count: no run data is read). */
export function executionCounts(databaseFile: string, workflowId: string): Record<string, number> {
	const db = sqlite(databaseFile, true);
	try {
		const rows = db
			.prepare('SELECT status, COUNT(*) AS n FROM execution_entity WHERE workflowId = ? GROUP BY status')
			.all(workflowId) as Array<{ status: string; n: number }>;
		return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
	} finally {
		db.close();
	}
}

/**
 * Executions of a workflow by status once their number has stopped growing (and reached
 * `expected`), or whatever there is after `timeoutMs`: the caller reports what it finds.
 */
export async function settledCounts(databaseFile: string, workflowId: string, expected: number, timeoutMs: number): Promise<Record<string, number>> {
	const deadline = Date.now() + timeoutMs;
	let last = -1;
	let stableSince = Date.now();
	for (;;) {
		const counts = executionCounts(databaseFile, workflowId);
		const total = Object.values(counts).reduce((a, b) => a + b, 0);
		if (total !== last) {
			last = total;
			stableSince = Date.now();
		}
		const unfinished = (counts.new ?? 0) + (counts.running ?? 0);
		if ((total >= expected && unfinished === 0) || (total >= expected && Date.now() - stableSince > 10_000) || Date.now() > deadline) return counts;
		await sleep(1000);
	}
}

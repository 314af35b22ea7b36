// Reads the executions an n8n instance recorded, straight from its sqlite database
// (execution_entity + execution_data, the run data serialised with `flatted`, which n8n ships).
// Node 24's built-in node:sqlite reads it; nothing is added to our dependencies.
import path from 'node:path';

// n8n 1.x keeps sqlite in rollback-journal mode (2.x: WAL), where a read while n8n writes
// answers "database is locked" at once unless it may wait for the write to finish.
const BUSY_TIMEOUT_MS = 10_000;

export interface NodeRunItem {
	json: Record<string, unknown>;
	[key: string]: unknown;
}

export interface NodeRun {
	/** main[outputIndex] = items on that output (null when the output carried nothing). */
	data?: { main?: Array<NodeRunItem[] | null> };
	error?: { message?: string; description?: string; httpCode?: string; [key: string]: unknown };
	executionStatus?: string;
	[key: string]: unknown;
}

export interface RecordedExecution {
	id: number;
	workflowId: string;
	status: string;
	mode: string;
	finished: boolean;
	startedAt: string | null;
	stoppedAt: string | null;
	runData: Record<string, NodeRun[]>;
	lastNodeExecuted?: string;
	error?: { message?: string; [key: string]: unknown };
}

interface ExecutionRow {
	id: number;
	workflowId: string;
	status: string;
	mode: string;
	finished: number;
	startedAt: string | null;
	stoppedAt: string | null;
	data: string | null;
}

interface RunDataShape {
	resultData?: {
		runData?: Record<string, NodeRun[]>;
		lastNodeExecuted?: string;
		error?: RecordedExecution['error'];
	};
}

/** All executions (optionally of one workflow), oldest first, with their run data. */
export function readExecutions(databaseFile: string, runtimeDir: string, workflowId?: string): RecordedExecution[] {
	// loaded lazily: node:sqlite prints an experimental warning on first use
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const flatted = require(path.join(runtimeDir, 'node_modules', 'flatted')) as { parse(text: string): unknown };
	const db = new DatabaseSync(databaseFile, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
	try {
		const sql =
			'SELECT e.id AS id, e.workflowId AS workflowId, e.status AS status, e.mode AS mode, ' +
			'e.finished AS finished, e.startedAt AS startedAt, e.stoppedAt AS stoppedAt, d.data AS data ' +
			'FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id ' +
			(workflowId ? 'WHERE e.workflowId = ? ' : '') +
			'ORDER BY e.id';
		const stmt = db.prepare(sql);
		const rows = (workflowId ? stmt.all(workflowId) : stmt.all()) as unknown as ExecutionRow[];
		return rows.map((row) => {
			const parsed = (row.data ? flatted.parse(row.data) : {}) as RunDataShape;
			return {
				id: Number(row.id),
				workflowId: row.workflowId,
				status: row.status,
				mode: row.mode,
				finished: !!row.finished,
				startedAt: row.startedAt,
				stoppedAt: row.stoppedAt,
				runData: parsed.resultData?.runData ?? {},
				lastNodeExecuted: parsed.resultData?.lastNodeExecuted,
				error: parsed.resultData?.error,
			};
		});
	} finally {
		db.close();
	}
}

/** Items a node emitted on one output in its first run (empty when it did not run). */
export function nodeOutput(execution: RecordedExecution, nodeName: string, outputIndex = 0): NodeRunItem[] {
	const run = execution.runData[nodeName]?.[0];
	return run?.data?.main?.[outputIndex] ?? [];
}

/** Whether the node ran at all in this execution. */
export function nodeRan(execution: RecordedExecution, nodeName: string): boolean {
	return (execution.runData[nodeName]?.length ?? 0) > 0;
}

export interface StoredWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: Array<{ name: string; type: string; disabled?: boolean }>;
}

/** The workflows n8n holds (as imported/published), for checks that an import kept everything. */
export function readWorkflows(databaseFile: string): StoredWorkflow[] {
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const db = new DatabaseSync(databaseFile, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
	try {
		const rows = db.prepare('SELECT id, name, active, nodes FROM workflow_entity ORDER BY id').all() as unknown as Array<{
			id: string;
			name: string;
			active: number;
			nodes: string;
		}>;
		return rows.map((r) => ({ id: r.id, name: r.name, active: !!r.active, nodes: JSON.parse(r.nodes) }));
	} finally {
		db.close();
	}
}

/** The static data n8n saved for a workflow (what its trigger nodes remember), parsed. */
export function readStaticData(databaseFile: string, workflowId: string): Record<string, unknown> {
	const { DatabaseSync } = require('node:sqlite') as typeof import('node:sqlite');
	const db = new DatabaseSync(databaseFile, { readOnly: true, timeout: BUSY_TIMEOUT_MS });
	try {
		const row = db.prepare('SELECT staticData FROM workflow_entity WHERE id = ?').get(workflowId) as { staticData: string | null } | undefined;
		const value = row?.staticData;
		return typeof value === 'string' && value !== '' ? (JSON.parse(value) as Record<string, unknown>) : {};
	} finally {
		db.close();
	}
}

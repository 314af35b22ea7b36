/**
 * The two n8n set-ups R8 kills: one `n8n start` on SQLite, and queue mode (Postgres + Redis, a
 * main process, a worker, one webhook process: the documented deployment for the callback path)
 * where the webhook process is the one killed. Each is R8's own (killing the shared n8n would
 * disturb the figures that run after it) and gets one published G2 Sentry Trigger workflow.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Sandbox } from '../../lab/sandbox';
import { buildAndPack, N8nInstance, readStaticData, startN8nWithPackage, TRIGGER_NODE, triggerUrl, type Workflow } from '../../lab/helpers/harness';
import { QueueCluster } from '../../lab/helpers/harness/queue';
import { sqliteRuns, triggerItems, type Crash, type Run } from './r8-count';
import { sharedTarball, TRIGGER_NAME } from './shared-n8n';

/** Queue mode is proven on this n8n (as in test/e2e/queue-mode.test.ts). */
const QUEUE_N8N_VERSION = '2.41.1';
/** A busy 2-core machine has needed minutes for an n8n start. */
const START_TIMEOUT_MS = 10 * 60_000;

export interface Topology {
	label: string;
	version: string;
	/**
	 * catch-up (trigger()) runs in another process than the one killed, on a memory loaded when the
	 * workflow was activated (queue mode: the main): see mainNeverHeld in r8-count.ts
	 */
	catchUpElsewhere: boolean;
	callbackUrl(): string;
	/** SIGKILL now, whatever n8n is doing (starting up included) */
	kill(): Promise<void>;
	/** start again; resolves with the moments n8n was ready and the trigger's URL served */
	start(): Promise<Pick<Crash, 'readyAt' | 'servedAt'>>;
	runs(): Promise<Run[]>;
	/** the trigger's memory as saved in n8n's database (its `deliveries` static data) */
	memory(): Promise<unknown>;
	dispose(): Promise<void>;
}

const deliveriesOf = (staticData: Record<string, unknown>) => (Object.values(staticData)[0] as { deliveries?: unknown } | undefined)?.deliveries;

/**
 * The trigger's Catch-Up Interval in R8: a pass after the flood shows what catch-up, the net under
 * events n8n answered with its start-up page, brings back, within the run (the default is 10).
 */
export const R8_CATCH_UP_MINUTES = 1;

export const r8Workflow = (id: string): Workflow => ({
	id,
	name: `R8 kill chaos ${id}`,
	nodes: [{ id: `${id}-trigger`, name: TRIGGER_NAME, type: TRIGGER_NODE, typeVersion: 1, position: [0, 0], webhookId: crypto.randomUUID(), parameters: { events: [], options: { catchUpIntervalMinutes: R8_CATCH_UP_MINUTES } } }],
	connections: {},
	settings: { executionOrder: 'v1' },
	active: false,
});

let ownPack: Promise<string> | undefined;

/** The shared n8n's tarball when it was packed already, else one of R8's own (packed once). */
async function tarball(): Promise<string> {
	const shared = await sharedTarball();
	if (shared) return shared;
	ownPack ??= buildAndPack(fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-r8-pack-')));
	return await ownPack;
}

/** Removes R8's own tarball (after the last R8 case). */
export async function disposeR8Pack(): Promise<void> {
	const packed = await ownPack?.catch(() => undefined);
	ownPack = undefined;
	if (packed) fs.rmSync(path.dirname(packed), { recursive: true, force: true });
}

async function startOf(instance: N8nInstance, url: string): Promise<Pick<Crash, 'readyAt' | 'servedAt'>> {
	try {
		await instance.start(START_TIMEOUT_MS);
	} catch {
		// n8n 2.41.1 can itself exit while recovering the executions a SIGKILL left (seen: a null
		// start time in its workflow statistics); a supervisor would start it again, so does R8, once.
		// start() keeps the exited child as running: kill() forgets it (and its leftover children).
		await instance.kill();
		await instance.start(START_TIMEOUT_MS);
	}
	const readyAt = Date.now();
	await instance.waitForWebhook(url, START_TIMEOUT_MS);
	return { readyAt, servedAt: Date.now() };
}

export async function singleProcess(sandbox: Sandbox): Promise<Topology> {
	const wf = r8Workflow('relR8Single00001');
	const { n8n } = await startN8nWithPackage({ sandbox, workflows: [wf], publish: [wf.id], tarball: await tarball(), startTimeoutMs: START_TIMEOUT_MS });
	const url = triggerUrl(n8n.baseUrl, wf);
	return {
		label: 'single process (SQLite)',
		version: n8n.version,
		catchUpElsewhere: false,
		callbackUrl: () => url,
		kill: () => n8n.kill(),
		start: () => startOf(n8n, url),
		runs: async () => sqliteRuns(n8n.databaseFile, n8n.runtimeDir, wf.id, TRIGGER_NAME),
		memory: async () => deliveriesOf(readStaticData(n8n.databaseFile, wf.id)),
		dispose: () => n8n.dispose(),
	};
}

export async function queueWebhookProcess(sandbox: Sandbox): Promise<Topology> {
	const wf = r8Workflow('relR8Queue000001');
	const cluster = new QueueCluster({ sandbox, version: QUEUE_N8N_VERSION, workflows: [wf], publish: [wf.id], workers: 1, webhooks: 1, tarball: await tarball() });
	try {
		await cluster.start();
		const webhook = cluster.webhooks[0];
		const url = triggerUrl(webhook.baseUrl, wf);
		await webhook.waitForWebhook(url, START_TIMEOUT_MS);
		return {
			label: 'queue mode, webhook process killed (Postgres, 1 worker)',
			version: webhook.version,
			catchUpElsewhere: true,
			callbackUrl: () => url,
			kill: () => webhook.kill(),
			start: () => startOf(webhook, url),
			runs: async () => (await cluster.executions(wf.id)).map((e) => ({ id: e.id, status: e.status, ...triggerItems(e.data, TRIGGER_NAME) })),
			memory: async () => deliveriesOf(await cluster.staticData(wf.id)),
			dispose: () => cluster.dispose(),
		};
	} catch (error) {
		await cluster.dispose();
		throw error;
	}
}

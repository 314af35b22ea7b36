// n8n in queue mode for the e2e suite: Postgres + Redis (services.ts), one shared user folder with
// the packed package installed as n8n installs community packages, a main process that only
// activates workflows (N8N_DISABLE_PRODUCTION_MAIN_PROCESS), workers and webhook processes.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { credentialRecord, DEFAULT_CREDENTIAL, type SandboxAccess } from './index';
import { N8nInstance } from './n8n-instance';
import { buildAndPack, installCommunityPackage } from './package';
import { freePort } from './processes';
import { startPostgres, startRedis, type Service } from './services';
import { useCredential, type CredentialRef, type Workflow } from './workflows';

export interface QueueClusterOptions {
	sandbox: SandboxAccess;
	workflows: Workflow[];
	/** ids of workflows to publish (activate) */
	publish: string[];
	workers?: number;
	webhooks?: number;
	/** n8n version (see lab/n8n-runtime.js); the default when omitted */
	version?: string;
	tarball?: string;
	credential?: CredentialRef;
	log?: (message: string) => void;
}

export interface QueueExecution {
	id: number;
	workflowId: string;
	status: string;
	mode: string;
	data: unknown;
}

/** A started cluster; dispose() stops everything by PID and removes its folders. */
export class QueueCluster {
	readonly folder = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-queue-'));
	readonly userFolder = path.join(this.folder, 'user');
	main?: N8nInstance;
	workers: N8nInstance[] = [];
	webhooks: N8nInstance[] = [];
	private postgres?: Service & { user: string; database: string };
	private redis?: Service;
	private readonly encryptionKey = crypto.randomBytes(24).toString('hex');
	private pg?: { query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>; end(): Promise<void> };

	constructor(private readonly options: QueueClusterOptions) {
		fs.mkdirSync(this.userFolder, { recursive: true });
	}

	/** Base URLs of the webhook processes (where callbacks go). */
	get webhookBaseUrls(): string[] {
		return this.webhooks.map((w) => w.baseUrl);
	}

	private sharedEnv(): Record<string, string> {
		if (!this.postgres || !this.redis) throw new Error('services not started');
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.postgres.port),
			DB_POSTGRESDB_DATABASE: this.postgres.database,
			DB_POSTGRESDB_USER: this.postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.redis.port),
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			// on a busy CI machine the 2 s-interval database ping can time out, and n8n then answers
			// every request 503 "Database is not ready" until the next ping succeeds
			DB_PING_TIMEOUT_MS: '20000',
		};
	}

	private instance(command: 'start' | 'worker' | 'webhook', name: string, port: number, env: Record<string, string> = {}): N8nInstance {
		return new N8nInstance({ userFolder: this.userFolder, version: this.options.version, port, command, logName: `${name}.log`, log: this.options.log, env: { ...this.sharedEnv(), ...env } });
	}

	async start(): Promise<this> {
		const log = this.options.log ?? (() => {});
		const credential = this.options.credential ?? DEFAULT_CREDENTIAL;
		log('starting postgres and redis');
		this.postgres = await startPostgres(this.folder);
		this.redis = await startRedis(this.folder);
		this.main = await this.instance('start', 'main', await freePort(), { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' }).prepare();
		const tarball = this.options.tarball ?? (await buildAndPack(path.join(this.folder, 'pack')));
		log('installing the package into the shared user folder');
		await installCommunityPackage(this.userFolder, tarball);
		await this.main.importCredentials([credentialRecord(credential, this.options.sandbox)]);
		await this.main.importWorkflows(this.options.workflows.map((wf) => useCredential(wf, credential)));
		for (const id of this.options.publish) await this.main.publishWorkflow(id);
		log('starting main');
		await this.main.start();
		for (let i = 0; i < (this.options.workers ?? 2); i++) {
			const port = await freePort();
			const worker = this.instance('worker', `worker-${i + 1}`, port, {
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(port),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			});
			this.workers.push(worker);
			await worker.prepare();
		}
		for (let i = 0; i < (this.options.webhooks ?? 2); i++) {
			const webhook = this.instance('webhook', `webhook-${i + 1}`, await freePort());
			this.webhooks.push(webhook);
			await webhook.prepare();
		}
		log('starting workers and webhook processes');
		await Promise.all([...this.workers, ...this.webhooks].map((p) => p.start()));
		return this;
	}

	/** SQL against the cluster's database (pg as shipped with n8n; nothing added to our dependencies). */
	async query(sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
		if (!this.pg) {
			if (!this.main || !this.postgres) throw new Error('cluster not started');
			 
			const { Client } = require(path.join(this.main.runtimeDir, 'node_modules', 'pg')) as {
				Client: new (config: object) => NonNullable<QueueCluster['pg']> & { connect(): Promise<void> };
			};
			const client = new Client({ host: '127.0.0.1', port: this.postgres.port, user: this.postgres.user, database: this.postgres.database });
			await client.connect();
			this.pg = client;
		}
		return (await this.pg.query(sql, params)).rows;
	}

	/** Executions of a workflow with their run data (parsed with the flatted n8n ships). */
	async executions(workflowId: string): Promise<QueueExecution[]> {
		 
		const flatted = require(path.join(this.main!.runtimeDir, 'node_modules', 'flatted')) as { parse(text: string): unknown };
		const rows = await this.query(
			'SELECT e.id, e."workflowId", e.status, e.mode, d.data FROM execution_entity e ' +
				'LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = $1 ORDER BY e.id',
			[workflowId],
		);
		return rows.map((r) => ({
			id: Number(r.id),
			workflowId: String(r.workflowId),
			status: String(r.status),
			mode: String(r.mode),
			data: typeof r.data === 'string' ? flatted.parse(r.data) : null,
		}));
	}

	/** The workflow's static data as saved in the database. */
	async staticData(workflowId: string): Promise<Record<string, unknown>> {
		const [row] = await this.query('SELECT "staticData" FROM workflow_entity WHERE id = $1', [workflowId]);
		const value = row?.staticData;
		return (typeof value === 'string' ? JSON.parse(value) : (value ?? {})) as Record<string, unknown>;
	}

	async dispose(): Promise<void> {
		await this.pg?.end().catch(() => undefined);
		await Promise.all([...this.webhooks, ...this.workers].map((p) => p.dispose()));
		await this.main?.dispose();
		await this.redis?.stop();
		await this.postgres?.stop();
		if (!process.env.G2S_E2E_KEEP) fs.rmSync(this.folder, { recursive: true, force: true });
	}
}

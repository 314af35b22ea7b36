// One real n8n process (the cached runtime from lab/n8n-runtime.js, in the version asked for,
// run on the Node that version needs) in its own throwaway user folder: CLI imports while stopped,
// `n8n start` on free ports, clean stop of n8n and its task runner. Output goes to <userFolder>/n8n.log — for humans; tests assert on recorded executions.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ensureN8n, type N8nRuntime } from '../../n8n-runtime';
import { capabilitiesOf, restSession, type N8nCapabilities, type N8nOwner } from './n8n-versions';
import { copyDatabaseFiles, copyMigratedDatabase } from './migratedDatabase';
import { freePort, signalGroup, sleep, trackGroup, untrackGroup } from './processes';

export interface N8nInstanceOptions {
	/** n8n version (installed on first use); G2S_N8N_VERSION or the default when omitted. */
	version?: string;
	/** Folder for N8N_USER_FOLDER; a fresh temp folder when omitted. */
	userFolder?: string;
	/** Fixed editor/webhook port; a free one when omitted. */
	port?: number;
	/** Owner account created from env at start (so a user can log in). */
	owner?: N8nOwner;
	/** Extra environment for n8n. */
	env?: Record<string, string>;
	/** What start() runs: `n8n start` (default), or a queue-mode `n8n worker` / `n8n webhook`. */
	command?: 'start' | 'worker' | 'webhook';
	/** Log file name in the user folder (several processes can share one folder); n8n.log by default. */
	logName?: string;
	/** false: a new sqlite database migrated by n8n itself, instead of a copy of one (./migratedDatabase.ts). */
	migratedDatabase?: boolean;
	log?: (message: string) => void;
}

// Variables of the calling process that would change how n8n behaves (Jest sets NODE_ENV=test,
// which makes n8n refuse to load nodes).
const INHERITED_BLOCKLIST = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|NODE_ENV$|NODE_OPTIONS$|NODE_PATH$|JEST_|npm_)/;

// Every instance not yet disposed, so a caller interrupted mid-start (Ctrl-C in the demo before
// startN8nWithPackage has returned one) can still stop them and delete their folders.
const undisposed = new Set<N8nInstance>();

export async function disposeAllN8n(): Promise<void> {
	await Promise.all([...undisposed].map((instance) => instance.dispose()));
}

export class N8nInstance {
	readonly userFolder: string;
	readonly logFile: string;
	port = 0;
	private brokerPort = 0;
	private runtime?: N8nRuntime;
	private capabilities?: N8nCapabilities;
	private child?: ChildProcess;
	private exited?: Promise<number | null>;
	private readonly encryptionKey = crypto.randomBytes(24).toString('hex');
	private readonly ownsFolder: boolean;
	/** The CLI command running now (import/publish), stopped with the rest on dispose. */
	private cliChild?: ChildProcess;
	private disposed = false;

	constructor(private readonly options: N8nInstanceOptions = {}) {
		this.ownsFolder = !options.userFolder;
		this.userFolder = options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-e2e-n8n-'));
		fs.mkdirSync(this.userFolder, { recursive: true });
		this.logFile = path.join(this.userFolder, options.logName ?? 'n8n.log');
		undisposed.add(this);
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	get databaseFile(): string {
		return path.join(this.userFolder, '.n8n', 'database.sqlite');
	}

	get runtimeDir(): string {
		return this.prepared().dir;
	}

	/** The n8n version this instance runs (known once prepared). */
	get version(): string {
		return this.prepared().version;
	}

	private prepared(): N8nRuntime {
		if (!this.runtime) throw new Error('call prepare() first');
		return this.runtime;
	}

	/** Provides the runtime (installs it on first use), picks ports and puts a migrated empty database in place. */
	async prepare(): Promise<this> {
		this.runtime = await ensureN8n({ version: this.options.version, log: this.options.log });
		this.capabilities = capabilitiesOf(this.runtime.dir);
		this.port = this.options.port ?? (await freePort());
		do this.brokerPort = await freePort();
		while (this.brokerPort === this.port);
		const sqlite = (this.options.env?.DB_TYPE ?? 'sqlite') === 'sqlite';
		if (this.options.migratedDatabase !== false && sqlite && !fs.existsSync(this.databaseFile)) {
			await copyMigratedDatabase(this.version, path.dirname(this.databaseFile), async (into) => {
				const seed = new N8nInstance({ version: this.version, migratedDatabase: false });
				try {
					await seed.prepare();
					await seed.importCredentials([]); // any command migrates
					copyDatabaseFiles(path.dirname(seed.databaseFile), into);
				} finally {
					await seed.dispose();
				}
			});
		}
		return this;
	}

	private env(): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {};
		for (const [k, v] of Object.entries(process.env)) if (!INHERITED_BLOCKLIST.test(k)) env[k] = v;
		const { node } = this.prepared();
		Object.assign(env, {
			// n8n's own children (the task runner) start with the same Node
			PATH: `${path.join(node.dir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
			NODE_ENV: 'production',
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			DB_TYPE: 'sqlite',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PORT: String(this.port),
			N8N_PROTOCOL: 'http',
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_EDITOR_BASE_URL: `${this.baseUrl}/`,
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_DISABLED_MODULES: this.capabilities?.disabledModules ?? '',
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			GENERIC_TIMEZONE: 'UTC',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			N8N_LOG_LEVEL: 'info',
		});
		const owner = this.options.owner;
		if (owner) {
			Object.assign(env, {
				N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
				N8N_INSTANCE_OWNER_EMAIL: owner.email,
				N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName ?? 'Demo',
				N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName ?? 'Owner',
				N8N_INSTANCE_OWNER_PASSWORD_HASH: this.bcrypt(owner.password),
			});
		}
		return Object.assign(env, this.options.env ?? {});
	}

	/** bcrypt from n8n's own dependencies (we add none of our own). */
	private bcrypt(password: string): string {
		const bcrypt = require(path.join(this.runtimeDir, 'node_modules', 'bcryptjs')) as {
			hashSync(p: string, rounds: number): string;
		};
		return bcrypt.hashSync(password, 10);
	}

	private spawnN8n(args: string[]): ChildProcess {
		const runtime = this.prepared();
		// a start still under way after dispose must not bring n8n (and its folder) back
		if (this.disposed) throw new Error('this n8n instance was disposed');
		const out = fs.openSync(this.logFile, 'a');
		fs.writeSync(out, `\n$ n8n ${args.join(' ')}\n`);
		// own process group, so stop() can also reach the task runner n8n spawns
		const child = spawn(runtime.node.bin, [runtime.bin, ...args], {
			cwd: this.userFolder,
			env: this.env(),
			stdio: ['ignore', out, out],
			detached: true,
		});
		fs.closeSync(out);
		if (child.pid) trackGroup(child.pid);
		return child;
	}

	/** Runs an n8n CLI command to completion (n8n must be stopped for imports/publish). */
	async cli(...args: string[]): Promise<void> {
		const child = this.spawnN8n(args);
		this.cliChild = child;
		const code = await new Promise<number | null>((resolve, reject) => {
			child.on('error', reject);
			child.on('exit', (c) => resolve(c));
		});
		if (child.pid) {
			signalGroup(child.pid, 'SIGKILL');
			untrackGroup(child.pid);
		}
		this.cliChild = undefined;
		if (code !== 0) throw new Error(`n8n ${args.join(' ')} exited with ${code}\n${this.logTail()}`);
	}

	logTail(chars = 3000): string {
		try {
			return fs.readFileSync(this.logFile, 'utf8').slice(-chars);
		} catch {
			return '';
		}
	}

	/** Imports credentials given with plain `data` (n8n encrypts them on import). */
	async importCredentials(credentials: object[]): Promise<void> {
		const file = path.join(this.userFolder, `credentials-${Date.now()}.json`);
		fs.writeFileSync(file, JSON.stringify(credentials, null, 2));
		try {
			await this.cli('import:credentials', `--input=${file}`);
		} finally {
			fs.rmSync(file, { force: true });
		}
	}

	/** Imports workflows (each needs an `id`); they arrive unpublished. */
	async importWorkflows(workflows: Array<{ id: string }>): Promise<void> {
		const dir = fs.mkdtempSync(path.join(this.userFolder, 'workflows-'));
		for (const wf of workflows) fs.writeFileSync(path.join(dir, `${wf.id}.json`), JSON.stringify(wf, null, 2));
		try {
			await this.cli('import:workflow', '--separate', `--input=${dir}`);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}

	/** Publishes (activates) a workflow; n8n must be stopped. */
	async publishWorkflow(id: string): Promise<void> {
		if (!this.capabilities) throw new Error('call prepare() first');
		await this.cli(...this.capabilities.publishArgs(id));
	}

	/** A REST session of the owner (created on first use where env could not create it). */
	async ownerSession(): Promise<string> {
		if (!this.options.owner) throw new Error('this n8n instance was created without an owner');
		return await restSession(this.baseUrl, this.options.owner);
	}

	/** `n8n start` (or the command chosen); resolves once its HTTP server answers the readiness probe. */
	async start(timeoutMs = 120_000): Promise<void> {
		if (this.child) throw new Error('n8n is already running');
		const child = this.spawnN8n([this.options.command ?? 'start']);
		this.child = child;
		this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
		const deadline = Date.now() + timeoutMs;
		let exitCode: number | null | undefined;
		void this.exited.then((c) => (exitCode = c));
		while (Date.now() < deadline) {
			if (exitCode !== undefined) throw new Error(`n8n exited with ${exitCode} while starting\n${this.logTail()}`);
			try {
				const res = await fetch(`${this.baseUrl}/healthz/readiness`);
				if (res.ok) return;
			} catch {
				// not listening yet
			}
			await sleep(300);
		}
		throw new Error(`n8n did not become ready within ${timeoutMs} ms\n${this.logTail()}`);
	}

	/**
	 * Readiness comes before webhooks are registered: probe the production URL with GET until
	 * n8n answers that the path exists for another method.
	 */
	async waitForWebhook(url: string, timeoutMs = 60_000): Promise<void> {
		await this.waitUntilServed(url, (_status, text) => /POST/.test(text), timeoutMs);
	}

	/** A published form's production URL serves its page (200 to GET) once it is registered. */
	async waitForForm(url: string, timeoutMs = 60_000): Promise<void> {
		await this.waitUntilServed(url, (status) => status === 200, timeoutMs);
	}

	private async waitUntilServed(url: string, served: (status: number, text: string) => boolean, timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let last = '';
		while (Date.now() < deadline) {
			try {
				const res = await fetch(url);
				const text = await res.text();
				last = `${res.status} ${text.slice(0, 200)}`;
				if (served(res.status, text)) return;
			} catch (error) {
				last = String(error);
			}
			await sleep(250);
		}
		throw new Error(`${url} was not registered within ${timeoutMs} ms (last answer: ${last})`);
	}

	/** Stops n8n (SIGTERM, then SIGKILL after `graceMs`) and anything left in its process group. */
	async stop(graceMs = 20_000): Promise<void> {
		const child = this.child;
		this.child = undefined;
		if (!child?.pid || !this.exited) return;
		const pid = child.pid;
		if (child.exitCode === null && child.signalCode === null) {
			signalGroup(pid, 'SIGTERM');
			let timer: NodeJS.Timeout | undefined;
			const done = await Promise.race([
				this.exited.then(() => true),
				new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
			]);
			clearTimeout(timer);
			if (!done) signalGroup(pid, 'SIGKILL');
			await this.exited;
		}
		// the task runner lives in the same group; make sure nothing outlives n8n
		await sleep(200);
		signalGroup(pid, 'SIGKILL');
		untrackGroup(pid);
	}

	/**
	 * A crash: SIGKILL to n8n and its task runner at once, nothing flushed, no shutdown hooks.
	 * Folder, ports and database stay, so start() (or restart()) brings the same n8n back.
	 */
	async kill(): Promise<void> {
		const child = this.child;
		this.child = undefined;
		if (!child?.pid || !this.exited) return;
		signalGroup(child.pid, 'SIGKILL');
		await this.exited;
		untrackGroup(child.pid);
	}

	/** kill() and start again at once, on the same ports (for chaos figures). */
	async restart(timeoutMs?: number): Promise<void> {
		await this.kill();
		await this.start(timeoutMs);
	}

	/** PID of the running `n8n start` process (for memory readings), undefined when stopped. */
	get pid(): number | undefined {
		return this.child?.pid;
	}

	get running(): boolean {
		return !!this.child;
	}

	/** Stops n8n and deletes the user folder if this instance created it. */
	async dispose(): Promise<void> {
		this.disposed = true;
		undisposed.delete(this);
		if (this.cliChild?.pid) signalGroup(this.cliChild.pid, 'SIGKILL');
		await this.stop();
		if (this.ownsFolder && !process.env.G2S_E2E_KEEP) fs.rmSync(this.userFolder, { recursive: true, force: true });
	}
}

// A development mail server with a web inbox (maildev, a devDependency) for the demo and the
// e2e suite: SMTP and the inbox page on loopback, free ports, its own process stopped by PID.
// A child process rather than maildev's in-process API: maildev is an ES module, which Jest's
// CommonJS module loader cannot import.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, sleep } from './processes';
import type { CredentialRef } from './workflows';

export interface Mailbox {
	smtpHost: string;
	smtpPort: number;
	/** The inbox page a person opens in a browser. */
	webUrl: string;
	/** Every message received so far, oldest first. */
	messages(): Promise<MailMessage[]>;
	close(): Promise<void>;
}

export interface MailMessage {
	id: string;
	subject: string;
	text: string;
	to: string[];
	from: string[];
}

export const MAILBOX_CREDENTIAL: CredentialRef = { id: 'g2sDemoSmtp00001', name: 'Demo inbox (maildev)' };

/** An n8n SMTP credential that sends through this mailbox (plain SMTP, no login). */
export function smtpCredentialRecord(mailbox: Mailbox, credential = MAILBOX_CREDENTIAL): { id: string } & Record<string, unknown> {
	return {
		...credential,
		type: 'smtp',
		data: { user: '', password: '', host: mailbox.smtpHost, port: mailbox.smtpPort, secure: false, disableStartTls: true },
	};
}

interface MaildevAddress {
	address: string;
}

interface MaildevEmail {
	id: string;
	subject?: string;
	text?: string;
	to?: MaildevAddress[];
	from?: MaildevAddress[];
}

function maildevBin(): string {
	// maildev's exports map hides package.json: find its folder from the module search paths
	for (const dir of require.resolve.paths('maildev') ?? []) {
		const manifest = path.join(dir, 'maildev', 'package.json');
		if (!fs.existsSync(manifest)) continue;
		const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
		return path.join(path.dirname(manifest), bin.maildev);
	}
	throw new Error('maildev is not installed (a devDependency: run npm install)');
}

export async function startMailbox(timeoutMs = 30_000): Promise<Mailbox> {
	const smtpPort = await freePort();
	let webPort = await freePort();
	while (webPort === smtpPort) webPort = await freePort();
	const logFile = path.join(os.tmpdir(), `g2s-maildev-${process.pid}-${smtpPort}.log`);
	const out = fs.openSync(logFile, 'w');
	const child: ChildProcess = spawn(
		process.execPath,
		[maildevBin(), '--smtp', String(smtpPort), '--ip', '127.0.0.1', '--web', String(webPort), '--web-ip', '127.0.0.1'],
		// its own cwd: maildev reads .maildevrc.json / maildev.config.* from the cwd and its parents
		{ cwd: os.tmpdir(), stdio: ['ignore', out, out], env: { ...process.env, NODE_ENV: 'production' } },
	);
	fs.closeSync(out);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const webUrl = `http://127.0.0.1:${webPort}/`;

	const close = async () => {
		if (child.exitCode === null && child.signalCode === null && child.pid) {
			process.kill(child.pid, 'SIGTERM');
			const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
			if (!done) process.kill(child.pid, 'SIGKILL');
			await exited;
		}
		fs.rmSync(logFile, { force: true });
	};
	// a caller that exits without close() (an error, process.exit) must not leave maildev behind
	const onExit = () => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL');
	process.once('exit', onExit);

	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`maildev exited with ${child.exitCode}: ${fs.readFileSync(logFile, 'utf8')}`);
		const ready = await fetch(`${webUrl}api/healthz`).then((r) => r.ok, () => false);
		if (ready) break;
		if (Date.now() > deadline) {
			await close();
			throw new Error(`maildev did not answer on ${webUrl} within ${timeoutMs} ms`);
		}
		await sleep(200);
	}

	return {
		smtpHost: '127.0.0.1',
		smtpPort,
		webUrl,
		async messages() {
			const res = await fetch(`${webUrl}api/email`);
			if (!res.ok) throw new Error(`maildev: GET /api/email → ${res.status}`);
			const list = (await res.json()) as MaildevEmail[];
			return list.map((m) => ({
				id: m.id,
				subject: m.subject ?? '',
				text: m.text ?? '',
				to: (m.to ?? []).map((a) => a.address),
				from: (m.from ?? []).map((a) => a.address),
			}));
		},
		async close() {
			process.removeListener('exit', onExit);
			await close();
		},
	};
}

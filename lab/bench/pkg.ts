// Figure 4: what installing the package costs: runtime dependencies, packed size, and the time to
// `require` each entry point n8n loads, in a fresh process, beside n8n's own Webhook node.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { median } from './stats';

export interface PackageFigures {
	runtimeDependencies: number;
	packedBytes: number;
	unpackedBytes: number;
	/** median ms per entry (n8n-workflow already loaded, as inside n8n) */
	requireMs: Record<string, number>;
	/** the same for n8n's Webhook node */
	webhookNodeMs: number;
	/** median ms per entry in a cold process (n8n-workflow loaded by the entry itself) */
	coldMs: Record<string, number>;
}

const TIMER = (file: string, preload: boolean) =>
	`${preload ? "require('n8n-workflow');" : ''}const t=process.hrtime.bigint();require(${JSON.stringify(file)});` +
	'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';

function timeRequire(file: string, nodePath: string, preload: boolean, runs: number): number {
	const times: number[] = [];
	// run from a folder without node_modules, so the preload resolves to the same copy as the entry
	const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-bench-req-'));
	for (let i = 0; i < runs; i++) {
		const out = execFileSync(process.execPath, ['-e', TIMER(file, preload)], {
			cwd,
			env: { ...process.env, NODE_PATH: nodePath, NODE_OPTIONS: '' },
			encoding: 'utf8',
		});
		times.push(Number(out));
	}
	fs.rmSync(cwd, { recursive: true, force: true });
	return median(times);
}

function dirSize(dir: string): number {
	let total = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		total += entry.isDirectory() ? dirSize(full) : fs.statSync(full).size;
	}
	return total;
}

export function measurePackage(tarball: string, n8nRuntimeDir: string, runs: number): PackageFigures {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-bench-pkg-'));
	try {
		execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
		const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
			dependencies?: Record<string, string>;
			n8n: { credentials: string[]; nodes: string[] };
		};
		// n8n puts its own module folder on the resolution path: n8n-workflow is n8n's copy
		const nodePath = path.join(n8nRuntimeDir, 'node_modules');
		const entries = [...manifest.n8n.credentials, ...manifest.n8n.nodes];
		const requireMs: Record<string, number> = {};
		const coldMs: Record<string, number> = {};
		for (const entry of entries) {
			requireMs[entry] = timeRequire(path.join(dir, entry), nodePath, true, runs);
			coldMs[entry] = timeRequire(path.join(dir, entry), nodePath, false, runs);
		}
		const webhookNode = path.join(nodePath, 'n8n-nodes-base', 'dist', 'nodes', 'Webhook', 'Webhook.node.js');
		return {
			runtimeDependencies: Object.keys(manifest.dependencies ?? {}).length,
			packedBytes: fs.statSync(tarball).size,
			unpackedBytes: dirSize(dir),
			requireMs,
			webhookNodeMs: timeRequire(webhookNode, nodePath, true, runs),
			coldMs,
		};
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

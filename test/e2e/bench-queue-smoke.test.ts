/**
 * Figure 5 of `npm run bench` (queue mode) at a tiny size, apart from the main bench smoke because
 * a queue-mode cluster takes minutes to start: it works and prints. No speed is asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { measureQueue, type QueueFigures } from '../../lab/bench/queue';
import { buildAndPack } from '../../lab/helpers/harness';
import { SETUP_TIMEOUT_MS } from '../../lab/helpers/e2e';

let figures: QueueFigures;
const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-bench-queue-'));

beforeAll(async () => {
	const tarball = await buildAndPack(packDir);
	figures = await measureQueue({ tarball, executions: 2, itemsPerExecution: 2, log: () => {} });
	const { requests: _requests, ...printed } = figures;
	console.log(`queue-mode bench smoke: ${JSON.stringify(printed)}`);
}, SETUP_TIMEOUT_MS);

afterAll(() => fs.rmSync(packDir, { recursive: true, force: true }));

it('runs Get Status items over two workers and counts them at the sandbox', () => {
	expect(figures.executions).toBe(2);
	expect(figures.items).toBe(4);
	expect(figures.itemsOk + figures.failedItems).toBe(4);
	// every item reached the sandbox at least once, logins come on top
	expect(figures.calls).toBeGreaterThanOrEqual(4);
	expect(figures.requests.every((r) => r.partnerKey === 'QUEUE_OURS')).toBe(true);
});

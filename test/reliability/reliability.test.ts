/**
 * `npm run test:reliability`: the figures, each printed with its target and seed.
 * The shared real n8n starts in the background while the in-process figures run (R1a, R3, R4,
 * R6); then the real-n8n ones (R1b, R2, R7), R8 with n8n processes of its own (it kills them);
 * R5 last, because it searches what all of them left.
 */
import { disposeAllN8n } from '../../lab/helpers/harness';
import { evidence } from './evidence';
import { printTable } from './figures';
import { defineR1InN8n, defineR1InProcess } from './r1-forgery';
import { defineR2 } from './r2-delivery-chaos';
import { defineR3 } from './r3-api-faults';
import { defineR4 } from './r4-token-churn';
import { defineR5 } from './r5-secrets';
import { defineR6 } from './r6-bad-input';
import { defineR7 } from './r7-load';
import { defineR8 } from './r8-kill-chaos';
import { disposeR8Pack } from './r8-topologies';
import { disposeSharedN8n, sharedN8n } from './shared-n8n';

const startedAt = Date.now();

beforeAll(() => {
	// not awaited: a failure surfaces in the first figure that needs n8n. Skipped when only some
	// figures are picked (`-t R3`): those that need n8n start it themselves.
	const filtered = process.argv.some((arg) => arg === '-t' || arg.startsWith('--testNamePattern'));
	if (!filtered) sharedN8n().catch(() => {});
});

afterAll(async () => {
	printTable(startedAt);
	await disposeSharedN8n();
	await disposeAllN8n();
	await disposeR8Pack();
	await Promise.all(evidence.sandboxes.map((s) => s.close()));
}, 120_000);

defineR1InProcess();
defineR3();
defineR4();
defineR6();
defineR1InN8n();
defineR2();
defineR7();
defineR8();
defineR5();

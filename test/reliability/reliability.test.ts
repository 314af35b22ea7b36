/**
 * `npm run test:reliability`: the figures of issue #10, in order, each printed with its target
 * and seed. R5 runs after the others because it searches what they left behind.
 */
import { disposeAllN8n } from '../../scripts/harness';
import { evidence } from './evidence';
import { printTable } from './figures';
import { defineR1 } from './r1-forgery';
import { defineR2 } from './r2-delivery-chaos';
import { defineR3 } from './r3-api-faults';
import { defineR4 } from './r4-token-churn';
import { defineR5 } from './r5-secrets';
import { defineR6 } from './r6-bad-input';
import { defineR7 } from './r7-load';
import { disposeSharedN8n } from './shared-n8n';

const startedAt = Date.now();

afterAll(async () => {
	printTable(startedAt);
	await disposeSharedN8n();
	await disposeAllN8n();
	await Promise.all(evidence.sandboxes.map((s) => s.close()));
}, 120_000);

defineR1();
defineR2();
defineR3();
defineR4();
defineR6();
defineR7();
defineR5();

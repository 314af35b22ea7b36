/**
 * The sandbox's real callback deliveries (signed, pretty-printed, duplicated, shuffled, retried
 * after failures) hit the trigger's webhook(), run through n8n-core behind a local HTTP server.
 * Whatever the delivery chaos, the workflow must see exactly one item per distinct event: the
 * sandbox's own delivery log says which events exist (one deliveryId each).
 */
import type { DeliveryAttempt } from '../../../lab/sandbox';
import { waitFor } from '../../../lab/helpers/sandboxClient';
import type { TriggerServerOptions } from '../../../lab/helpers/webhook-context';
import { useSandboxTrigger, type SandboxTrigger } from './sandbox-trigger';

jest.setTimeout(60_000);

const wire = useSandboxTrigger();
let env: SandboxTrigger;
async function setUp(chaos: Record<string, unknown>, triggerOptions: TriggerServerOptions = {}) {
	env = await wire({ chaos }, triggerOptions);
}

/** Waits until every event the sandbox fired has been delivered (2xx), duplicates included. */
async function settled(expectedEvents: number, duplicatesPerEvent: number): Promise<DeliveryAttempt[]> {
	return waitFor(
		async () => {
			const all = await env.deliveries();
			const delivered = all.filter((a) => a.outcome === 'delivered' && !a.duplicate);
			const duplicates = all.filter((a) => a.duplicate && a.outcome !== 'skipped');
			return delivered.length === expectedEvents && duplicates.length >= expectedEvents * duplicatesPerEvent && all;
		},
		20_000,
		`${expectedEvents} delivered events`,
	);
}

/** One `jobId eventType` line per distinct event the sandbox fired (by deliveryId). */
function distinctEvents(all: DeliveryAttempt[]): string[] {
	const byId = new Map(all.map((a) => [a.deliveryId, `${a.jobId} ${a.eventType}`]));
	return [...byId.values()].sort();
}
const emitted = () => env.trigger.items().map((item) => `${String(item.jobId)} ${String(item.eventType)}`).sort();

it('turns duplicated, shuffled, pretty-printed deliveries into one item per event', async () => {
	await setUp({ duplicateDeliveries: 1, shuffleDeliveries: true, shuffleWindowMs: 40, prettyCallbackBodies: true });
	const jobs = await Promise.all([1, 2, 3, 4].map((n) => env.session.createJob({ name: `Open house ${n} – Café 🏠` })));
	// all lifecycles at once: their callbacks are held and shuffled together
	await env.runLifecycles(jobs);
	const all = await settled(12, 1);
	expect(all.some((a) => a.body.includes('\n  "jobId"'))).toBe(true); // really pretty-printed
	expect(all.some((a) => a.duplicate)).toBe(true);
	expect(emitted()).toEqual(distinctEvents(all));
	expect(env.trigger.items()).toHaveLength(12);
	// a completion always comes out current, whatever overtook it
	expect(env.trigger.items().filter((i) => i.eventType === 'JobCompleted').every((i) => i.stale === false)).toBe(true);
});

it('emits a re-assignment after a withdrawal, and no duplicate of either assignment', async () => {
	await setUp({ duplicateDeliveries: 1, shuffleDeliveries: false });
	const jobId = await env.session.createJob();
	let fired = 0;
	// a Guardian withdraws minutes after accepting in reality: each step lands before the next
	for (const step of [() => env.move(jobId, 'Assigned'), () => env.withdraw(jobId), () => env.move(jobId, 'Assigned'), () => env.move(jobId, 'InProgress')]) {
		await step();
		await settled(++fired, 1);
	}
	const all = await settled(4, 1);
	expect(emitted()).toEqual(distinctEvents(all));
	expect(env.trigger.items().map((i) => i.eventType)).toEqual(['JobAssigned', 'JobWithdrawed', 'JobAssigned', 'JobStarted']);
	const phones = env.trigger.items().filter((i) => i.eventType === 'JobAssigned').map((i) => i.guardianPhone);
	expect(new Set(phones).size).toBe(2); // another Guardian took it
});

it('loses nothing and repeats nothing when n8n fails requests or its answers get lost', async () => {
	// Each callback's 1st attempt: 503 before webhook() runs; 2nd: the event is taken but the
	// answer is cut off; later ones go through. The sandbox retries on its (scaled) schedule.
	const attempts = new Map<string, number>();
	const trouble = (_n: number, body: Buffer) => {
		const seen = (attempts.get(body.toString()) ?? 0) + 1;
		attempts.set(body.toString(), seen);
		return seen === 1 ? 'unavailable' : seen === 2 ? 'lose-answer' : undefined;
	};
	await setUp({ duplicateDeliveries: 0.5, shuffleDeliveries: true, shuffleWindowMs: 20, seed: 7 }, { trouble });
	const jobs = await Promise.all([1, 2, 3].map(() => env.session.createJob()));
	await env.runLifecycles(jobs);
	const all = await settled(9, 0);
	expect(all.some((a) => a.status === 503)).toBe(true);
	expect(all.some((a) => a.outcome === 'failed' && a.status === null)).toBe(true); // lost answers
	expect(all.filter((a) => a.outcome === 'given-up')).toEqual([]);
	expect(emitted()).toEqual(distinctEvents(all));
	expect(env.trigger.items()).toHaveLength(9);
});

it('answers 401 to deliveries signed with another secret, and takes their retries once the secrets agree', async () => {
	await setUp({});
	env.sandbox.configure({ callbackSecret: 'a-secret-n8n-does-not-know' });
	const jobId = await env.session.createJob();
	await env.move(jobId, 'Assigned');
	const first = await waitFor(async () => (await env.deliveries()).find((a) => a.status !== null), 10_000, 'an attempt');
	expect(first.status).toBe(401);
	expect(env.trigger.runs).toHaveLength(0);
	// the portal's secret is corrected: the sandbox signs each retry when it sends it
	env.sandbox.configure({ callbackSecret: 'sandbox-callback-secret' });
	await settled(1, 0);
	expect(env.trigger.items()).toHaveLength(1);
});

it('accepts both secrets during a rotation and says which one signed', async () => {
	await setUp({}, { credentials: { callbackSecret: 'rotated-callback-secret', previousCallbackSecret: 'sandbox-callback-secret' } });
	const jobId = await env.session.createJob();
	await env.move(jobId, 'Assigned');
	await settled(1, 0);
	env.sandbox.configure({ callbackSecret: 'rotated-callback-secret' });
	await env.move(jobId, 'InProgress');
	await settled(2, 0);
	expect(env.trigger.items().map((i) => [i.eventType, i.signedWithPreviousSecret])).toEqual([
		['JobAssigned', true],
		['JobStarted', false],
	]);
});

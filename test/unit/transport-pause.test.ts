/**
 * The transport's waits (pacing, 429 and 5xx back-off) must end when the execution is cancelled
 * and must not leave their timer behind: a cancelled 60 s Retry-After used to keep the process
 * (and Jest) alive for a minute after the run.
 */
import type { INode } from 'n8n-workflow';

import { pause, type ApiContext } from '../../nodes/shared/transport';

const node = { name: 'G2 Sentry', type: 'n8n-nodes-g2sentry.g2Sentry' } as INode;
const contextWith = (signal?: AbortSignal) =>
	({ getNode: () => node, getExecutionCancelSignal: () => signal }) as unknown as ApiContext;
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

it('rejects at once on cancel and clears its timer', async () => {
	const before = timers();
	const controller = new AbortController();
	const waiting = pause(contextWith(controller.signal), 60_000, 3);
	expect(timers()).toBe(before + 1);
	controller.abort();
	await expect(waiting).rejects.toMatchObject({
		message: 'The execution was cancelled while waiting to call G2 Sentry',
		context: { itemIndex: 3 },
	});
	expect(timers()).toBe(before);
});

it('refuses to start waiting when the execution is already cancelled', async () => {
	const controller = new AbortController();
	controller.abort();
	const before = timers();
	await expect(pause(contextWith(controller.signal), 60_000)).rejects.toThrow(/cancelled/);
	expect(timers()).toBe(before);
});

it('waits the time asked when nothing cancels it', async () => {
	const started = Date.now();
	await pause(contextWith(new AbortController().signal), 50);
	await pause(contextWith(undefined), 50);
	expect(Date.now() - started).toBeGreaterThanOrEqual(95);
});

/**
 * What the trigger's rule tests share: the secrets, a payload builder, signing done here with
 * node:crypto (independently of the node's own signature module), and trigger servers that are
 * closed after each test.
 */
import { createHmac } from 'node:crypto';

import { startTriggerServer, type Reply, type TriggerServer, type TriggerServerOptions } from '../../../lab/helpers/webhook-context';

export const SECRET = 'test-callback-secret';
export const PREVIOUS = 'previous-test-secret';
export const CREDENTIALS = { environment: 'custom', callbackSecret: SECRET, previousCallbackSecret: '' };

export const sign = (body: string | Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

/** A JobAssigned callback for job 9142, with `fields` replacing or adding fields. */
export const payload = (fields: Record<string, unknown>) =>
	JSON.stringify({ jobId: 9142, eventType: 'JobAssigned', jobName: 'Open house', jobStatus: 'Assigned', ...fields });

/** Jest fixture: `start()` gives a trigger server (test credentials by default), closed after each test. */
export function useTriggerServers(): (options?: TriggerServerOptions) => Promise<TriggerServer> {
	let servers: TriggerServer[] = [];
	afterEach(async () => {
		await Promise.all(servers.map((server) => server.close()));
		servers = [];
	});
	return async (options = {}) => {
		const server = await startTriggerServer({ credentials: CREDENTIALS, ...options });
		servers.push(server);
		return server;
	};
}

/** POSTs `body` signed with the test secret, or with the given raw header (null: none). */
export const send = (
	server: TriggerServer,
	body: string | Buffer,
	signature: string | null = sign(body),
	contentType = 'application/json',
): Promise<Reply> =>
	server.post(body, { 'content-type': contentType, ...(signature === null ? {} : { 'x-signature': signature }) });

/** Timers and sockets stay real; only Date is faked, so a test can move the clock on. */
const REAL_TIMERS = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
	'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval',
	'setTimeout', 'clearTimeout'] as const;

/** Jest fixture: a fake Date starting at `now` in each test (jest.setSystemTime moves it). */
export function useFakeDate(now = Date.UTC(2026, 10, 1)): void {
	beforeEach(() => jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now }));
	afterEach(() => jest.useRealTimers());
}

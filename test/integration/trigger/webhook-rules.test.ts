/**
 * Each rule of the trigger, with webhook() run through n8n-core's WebhookContext behind a real
 * HTTP server (see lab/helpers/webhook-context.ts); signatures made independently (./fixture).
 */
import { loadStore } from '../../../nodes/G2SentryTrigger/eventStore';
import { logs } from '../../../lab/helpers/webhook-context';
import { CREDENTIALS, payload, PREVIOUS, SECRET, send, sign, useTriggerServers } from './fixture';

const start = useTriggerServers();

describe('signature', () => {
	it('emits one typed item for a correctly signed callback and answers 200 with a small body', async () => {
		const server = await start();
		const before = Date.now();
		const reply = await send(server, payload({ guardianPhone: '+15550100' }));
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ status: 'accepted' });
		expect(reply.body.length).toBeLessThan(64);
		expect(server.items()).toHaveLength(1);
		const item = server.items()[0];
		expect(item).toEqual({
			jobId: 9142,
			eventType: 'JobAssigned',
			jobName: 'Open house',
			jobStatus: 'Assigned',
			guardianPhone: '+15550100',
			receivedAt: expect.any(String),
			stale: false,
			possibleRepeat: false,
			signedWithPreviousSecret: false,
			verifiedWith: 'current',
			recovered: false,
		});
		const receivedAt = Date.parse(item.receivedAt as string);
		expect(receivedAt).toBeGreaterThanOrEqual(before - 1);
		expect(receivedAt).toBeLessThanOrEqual(Date.now());
		expect(new Date(receivedAt).toISOString()).toBe(item.receivedAt);
	});

	it.each([
		['missing', null, 'missing-signature'],
		['made with another secret', sign(payload({}), 'another-secret'), 'mismatch'],
		['truncated', sign(payload({})).slice(0, 40), 'malformed-signature'],
		['not hex', 'not-a-signature', 'malformed-signature'],
	])('answers 401 and runs nothing when the signature is %s', async (_name, signature, reason) => {
		const server = await start();
		const reply = await send(server, payload({}), signature);
		expect(reply.status).toBe(401);
		expect(reply.json).toEqual({ status: 'rejected', reason });
		expect(server.runs).toHaveLength(0);
		expect(server.errors).toHaveLength(0);
		expect(server.savedStaticData()).toEqual({});
	});

	it('verifies the bytes received: pretty-printed and multi-byte bodies pass, a re-serialised signature fails', async () => {
		const server = await start();
		const pretty = JSON.stringify({ jobId: 1, eventType: 'JobStarted', jobName: 'Café 🏠 東京', jobStatus: 'InProgress' }, null, 2) + '\n';
		expect((await send(server, pretty)).status).toBe(200);
		const other = pretty.replace('"jobId": 1', '"jobId": 2');
		const reserialised = sign(JSON.stringify(JSON.parse(other)));
		expect((await send(server, other, reserialised)).status).toBe(401);
		expect(server.items().map((item) => item.jobName)).toEqual(['Café 🏠 東京']);
	});

	it('reads the raw body itself when n8n has not (readRawBody)', async () => {
		const server = await start({ preRead: false });
		expect((await send(server, payload({}))).status).toBe(200);
		expect(server.items()).toHaveLength(1);
	});

	it('accepts the previous secret during a rotation and says so in the item', async () => {
		const server = await start({ credentials: { ...CREDENTIALS, previousCallbackSecret: PREVIOUS } });
		expect((await send(server, payload({}), sign(payload({}), PREVIOUS))).status).toBe(200);
		expect(server.items()[0].signedWithPreviousSecret).toBe(true);
	});

	it('answers 401 when no callback secret is configured or the credential cannot be read', async () => {
		logs.length = 0;
		for (const credentials of [{ ...CREDENTIALS, callbackSecret: '' }, null]) {
			const server = await start({ credentials });
			const reply = await send(server, payload({}), sign(payload({}), ''));
			expect(reply.status).toBe(401);
			expect(server.runs).toHaveLength(0);
		}
		// the reason is logged for the operator, and no secret ever is
		expect(logs.some((entry) => entry.level === 'warn' && /no-secret|credential/i.test(entry.message))).toBe(true);
		expect(JSON.stringify(logs)).not.toContain(SECRET);
	});
});

describe('body checks after the signature', () => {
	it.each([
		['an array', '[{"jobId":1}]', 'Body must be a JSON object'],
		['a string jobId', payload({ jobId: '9142' }), 'jobId must be a positive integer'],
		['a missing eventType', '{"jobId":3}', 'eventType must be an event name such as JobAssigned'],
	])('answers 400 with a clear message for %s', async (_name, body, message) => {
		const server = await start();
		const reply = await send(server, body);
		expect(reply.status).toBe(400);
		expect(reply.json).toEqual({ status: 'rejected', message });
		expect(server.runs).toHaveLength(0);
	});

	it('answers 400 to signed invalid JSON that n8n did not parse (text/plain)', async () => {
		const server = await start();
		const reply = await send(server, 'jobId=3', sign('jobId=3'), 'text/plain');
		expect(reply.status).toBe(400);
		expect(reply.json).toEqual({ status: 'rejected', message: 'Body is not valid JSON' });
	});

	it('ignores unknown event types by default and emits them when asked', async () => {
		const body = payload({ eventType: 'JobRescheduled' });
		const quiet = await start();
		expect((await send(quiet, body)).json).toEqual({ status: 'ignored', reason: 'unknown event type' });
		expect(quiet.runs).toHaveLength(0);
		const loud = await start({ parameters: { options: { emitUnknownEvents: true } } });
		expect((await send(loud, body)).json).toEqual({ status: 'accepted' });
		expect((await send(loud, body)).json).toEqual({ status: 'duplicate' });
		expect(loud.items().map((item) => item.eventType)).toEqual(['JobRescheduled']);
	});
});

describe('event filter', () => {
	it('acknowledges filtered events with 200 and runs nothing', async () => {
		const server = await start({ parameters: { events: ['JobCompleted'] } });
		const reply = await send(server, payload({}));
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ status: 'filtered' });
		expect((await send(server, payload({ eventType: 'JobCompleted', jobStatus: 'Completed' }))).json).toEqual({
			status: 'accepted',
		});
		expect(server.items().map((item) => item.eventType)).toEqual(['JobCompleted']);
	});

	it('still records filtered events, so a re-assignment after a filtered withdrawal is emitted', async () => {
		const server = await start({ parameters: { events: ['JobAssigned'] } });
		await send(server, payload({}));
		expect((await send(server, payload({ eventType: 'JobWithdrawed', jobStatus: 'New' }))).json).toEqual({
			status: 'filtered',
		});
		await send(server, payload({}));
		expect(server.items()).toHaveLength(2);
	});

	it('treats an empty selection as all four events', async () => {
		const server = await start({ parameters: { events: [] } });
		await send(server, payload({ eventType: 'JobStarted', jobStatus: 'InProgress' }));
		expect(server.items()).toHaveLength(1);
	});
});

describe('dedupe and order', () => {
	it('emits a redelivered event once, remembering it in the saved static data', async () => {
		const server = await start();
		const replies = [];
		for (let i = 0; i < 3; i++) replies.push((await send(server, payload({}))).json);
		expect(replies).toEqual([{ status: 'accepted' }, { status: 'duplicate' }, { status: 'duplicate' }]);
		expect(server.items()).toHaveLength(1);
		const saved = server.savedStaticData()['node:G2 Sentry Trigger'] as { deliveries: unknown };
		expect(saved.deliveries).toMatchObject({ v: 4, jobs: expect.stringMatching(/^9142=[^ ]+$/) });
		expect(Object.keys(loadStore(saved.deliveries).jobs)).toEqual(['9142']);
	});

	it('remembers deliveries across a restart through the saved static data alone', async () => {
		const server = await start();
		await send(server, payload({}));
		await send(server, payload({ eventType: 'JobStarted', jobStatus: 'InProgress' }));
		server.restart();
		// a start happens once per job: proven, dropped
		expect((await send(server, payload({ eventType: 'JobStarted', jobStatus: 'InProgress' }))).json).toEqual({ status: 'duplicate' });
		// right after a restart the saved copy may come from another live process (queue mode), which
		// may hold a withdrawal this one has not seen: a known assignment is emitted, marked
		expect((await send(server, payload({}))).json).toEqual({ status: 'accepted' });
		// the first callback after the restart also re-ran, once, the steps the predecessor recorded
		// last (answered or not, they may never have run: replay.ts), marked
		expect(server.items().map((item) => [item.eventType, item.possibleRepeat, item.recoveredBecause ?? null])).toEqual([
			['JobAssigned', false, null],
			['JobStarted', false, null],
			['JobAssigned', true, 'restart'],
			['JobStarted', true, 'restart'],
			['JobAssigned', true, null],
		]);
	});

	it('re-runs nothing after a restart with "Re-Run Recent Events After a Restart" off', async () => {
		const server = await start({ parameters: { events: [], options: { replayAfterRestart: false } } });
		await send(server, payload({}));
		server.restart();
		expect((await send(server, payload({ eventType: 'JobStarted', jobStatus: 'InProgress' }))).json).toEqual({ status: 'accepted' });
		expect(server.items().map((item) => item.eventType)).toEqual(['JobAssigned', 'JobStarted']);
	});

	it('drops a known assignment as a duplicate again when no other copy was saved meanwhile', async () => {
		const server = await start();
		await send(server, payload({}));
		expect((await send(server, payload({}))).json).toEqual({ status: 'duplicate' });
		expect(server.items()).toHaveLength(1);
	});

	it('does not persist anything from the test URL (n8n never saves manual runs)', async () => {
		const server = await start({ mode: 'manual' });
		await send(server, payload({}));
		expect(server.savedStaticData()).toEqual({});
		expect(server.items()).toHaveLength(1);
	});

	it('treats the retry of a delivery whose answer was lost as a duplicate', async () => {
		const server = await start({ trouble: (n: number) => (n === 1 ? 'lose-answer' : undefined) });
		await expect(send(server, payload({}))).rejects.toThrow();
		expect((await send(server, payload({}))).json).toEqual({ status: 'duplicate' });
		expect(server.items()).toHaveLength(1);
	});

	it('emits one item for simultaneous duplicates', async () => {
		const server = await start();
		const body = payload({ jobId: 77 });
		const replies = await Promise.all(Array.from({ length: 8 }, () => send(server, body)));
		expect(replies.every((reply) => reply.status === 200)).toBe(true);
		expect(server.items()).toHaveLength(1);
	});

	it('emits a job assigned again after a withdrawal', async () => {
		const server = await start();
		const assigned = payload({});
		const withdrawn = payload({ eventType: 'JobWithdrawed', jobStatus: 'New' });
		for (const body of [assigned, assigned, withdrawn, withdrawn, assigned, assigned]) await send(server, body);
		expect(server.items().map((item) => item.eventType)).toEqual(['JobAssigned', 'JobWithdrawed', 'JobAssigned']);
	});

	it('flags an event older than what was seen as stale, or drops it when asked', async () => {
		const started = payload({ eventType: 'JobStarted', jobStatus: 'InProgress' });
		const flagging = await start();
		await send(flagging, started);
		await send(flagging, payload({}));
		expect(flagging.items().map((item) => [item.eventType, item.stale])).toEqual([
			['JobStarted', false],
			['JobAssigned', true],
		]);
		const dropping = await start({ parameters: { options: { dropStale: true } } });
		await send(dropping, started);
		expect((await send(dropping, payload({}))).json).toEqual({ status: 'stale' });
		expect(dropping.items().map((item) => item.eventType)).toEqual(['JobStarted']);
	});
});

describe('webhookMethods for a URL pasted into the portal', () => {
	it('records the production URL on create, finds it, and forgets it on delete', async () => {
		const server = await start();
		expect(await server.runHook('checkExists')).toBe(false);
		expect(await server.runHook('create')).toBe(true);
		const saved = server.savedStaticData()['node:G2 Sentry Trigger'] as { callbackUrl: string };
		expect(saved.callbackUrl).toBe('https://n8n.example.test/webhook/hook-1/g2sentry');
		expect(await server.runHook('checkExists')).toBe(true);
		expect(await server.runHook('delete')).toBe(true);
		expect(await server.runHook('checkExists')).toBe(false);
	});

	it('refuses to activate with a credential that has no callback secret', async () => {
		const server = await start({ credentials: { ...CREDENTIALS, callbackSecret: '' } });
		await expect(server.runHook('create')).rejects.toThrow('The G2 Sentry credential has no callback secret');
	});
});

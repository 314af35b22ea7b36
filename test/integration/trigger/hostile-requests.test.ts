/**
 * The trigger under attack, through n8n-core's WebhookContext over real HTTP: forged and odd
 * requests must start nothing, write nothing to static data, answer small without echoing what
 * was sent, and never reveal a secret in an answer or a log line.
 */
import { request } from 'node:http';

import { MAX_CALLBACK_BYTES } from '../../../nodes/G2SentryTrigger/payload';
import { logs, type Reply, type TriggerServer } from '../../../lab/helpers/webhook-context';
import { CREDENTIALS, payload, PREVIOUS, SECRET, send, sign, useTriggerServers } from './fixture';

const start = useTriggerServers();
beforeEach(() => {
	logs.length = 0;
});

/** A signed JobAssigned whose job name pads the body to exactly `bytes` bytes. */
function bodyOfSize(bytes: number, fields: Record<string, unknown> = {}): string {
	const bare = payload({ jobName: '', ...fields });
	return payload({ jobName: 'x'.repeat(bytes - Buffer.byteLength(bare)), ...fields });
}

/** What is shared by every answer and log line: small, no secret, no echo of the sender's text. */
function expectQuiet(replies: Reply[], echoed: string) {
	for (const reply of replies) {
		expect(reply.body.length).toBeLessThan(100);
		expect(reply.body).not.toContain(echoed);
	}
	const seen = JSON.stringify(logs) + replies.map((reply) => reply.body).join('');
	for (const secret of [SECRET, PREVIOUS]) expect(seen).not.toContain(secret);
	expect(JSON.stringify(logs)).not.toContain(echoed);
}

describe('request size', () => {
	it('refuses a body over the limit with 413, signed or not, and still takes one at the limit', async () => {
		const server = await start();
		const tooLarge = bodyOfSize(MAX_CALLBACK_BYTES + 1);
		const replies = [await send(server, tooLarge), await send(server, tooLarge, null)];
		for (const reply of replies) {
			expect(reply.status).toBe(413);
			expect(reply.json).toEqual({ status: 'rejected', reason: 'body-too-large' });
		}
		expect(server.runs).toHaveLength(0);
		expect(server.savedStaticData()).toEqual({});
		expectQuiet(replies, 'x'.repeat(100));

		const atLimit = bodyOfSize(MAX_CALLBACK_BYTES);
		expect(Buffer.byteLength(atLimit)).toBe(MAX_CALLBACK_BYTES);
		expect((await send(server, atLimit)).status).toBe(200);
		expect(server.items()).toHaveLength(1);
	});
});

const oneDigitOff = (hex: string) => (hex[63] === '0' ? hex.slice(0, 63) + '1' : hex.slice(0, 63) + '0');

describe('forged requests', () => {
	it('leave static data and the in-process memory untouched, whatever they claim', async () => {
		const server = await start();
		await send(server, payload({}));
		const before = JSON.stringify(server.savedStaticData());
		const forged = (jobId: number) => payload({ jobId, eventType: 'JobWithdrawed', jobStatus: 'New' });
		const replies = await Promise.all([
			...Array.from({ length: 20 }, (_, i) => send(server, forged(1000 + i), sign(forged(1000 + i), 'guessed-secret'))),
			send(server, forged(1), oneDigitOff(sign(forged(1)))),
			send(server, forged(2), null),
			send(server, forged(3), 'sha256=' + sign(forged(3))),
			send(server, forged(4), sign(forged(4), PREVIOUS)), // no previous secret is configured
			send(server, forged(5), sign(forged(5), '')),
		]);
		expect(replies.every((reply) => reply.status === 401)).toBe(true);
		expect(JSON.stringify(server.savedStaticData())).toBe(before);
		expect(server.runs).toHaveLength(1);
		// the same events, now genuine, are new: nothing forged was remembered, not even in memory
		for (const jobId of [1000, 1, 4]) expect((await send(server, forged(jobId))).json).toEqual({ status: 'accepted' });
		expect((await send(server, payload({}))).json).toEqual({ status: 'duplicate' });
		expectQuiet(replies, 'guessed-secret');
	});

	it('refuses a repeated X-Signature header even when each copy is right', async () => {
		const server = await start();
		const body = payload({});
		const status = await new Promise<number>((resolve, reject) => {
			const req = request(server.url, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-signature': [sign(body), sign(body)] },
			});
			req.on('response', (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', reject);
			req.end(body);
		});
		expect(status).toBe(401);
		expect(server.runs).toHaveLength(0);
	});
});

describe('signed nonsense', () => {
	it.each([
		['an absurdly long eventType', payload({ eventType: 'J' + 'e'.repeat(60_000) }), 'eventType must be an event name such as JobAssigned'],
		['a long markup jobStatus', payload({ jobStatus: '<script>' + 'e'.repeat(1000) }), 'jobStatus must be a status name such as Assigned'],
		['a huge negative jobId', payload({ jobId: -1e308 }), 'jobId must be a positive integer'],
		['nested junk instead of an object', '[[[[{"jobId":1}]]]]', 'Body must be a JSON object'],
		['JSON null', 'null', 'Body must be a JSON object'],
	])('answers 400 for %s without echoing it, and stores nothing', async (_name, body, message) => {
		const server = await start();
		await send(server, payload({ jobId: 1 }));
		const before = JSON.stringify(server.savedStaticData());
		const reply = await send(server, body);
		expect(reply.status).toBe(400);
		expect(reply.json).toEqual({ status: 'rejected', message });
		expect(JSON.stringify(server.savedStaticData())).toBe(before);
		expect(server.runs).toHaveLength(1);
		expectQuiet([reply], 'eeeeeeeeee');
	});

	it('answers 400 to bytes that are not UTF-8 even where a JSON parser would read them', async () => {
		const server = await start();
		const latin1 = Buffer.from(payload({ jobName: 'Caf\xe9' }), 'latin1');
		const reply = await send(server, latin1);
		expect(reply.json).toEqual({ status: 'rejected', message: 'Body is not valid UTF-8' });
		expect(server.runs).toHaveLength(0);
	});

	it('stores nothing for an unknown event type that is ignored', async () => {
		const server = await start();
		expect((await send(server, payload({ eventType: 'JobRescheduled' }))).json).toEqual({ status: 'ignored', reason: 'unknown event type' });
		expect(server.savedStaticData()).toEqual({});
	});
});

describe('callback secrets in the credential', () => {
	const accepts = async (server: TriggerServer, secret: string) => {
		const body = payload({ jobId: Math.floor(Math.random() * 1e9) + 1 });
		const reply = await send(server, body, sign(body, secret));
		return reply.status === 200 ? server.items().at(-1)!.signedWithPreviousSecret : reply.status;
	};

	it('ignores a space or line break pasted along with a secret', async () => {
		const server = await start({ credentials: { callbackSecret: ` ${SECRET}\n`, previousCallbackSecret: `${PREVIOUS} ` } });
		expect(await accepts(server, SECRET)).toBe(false);
		expect(await accepts(server, PREVIOUS)).toBe(true);
		expect(await accepts(server, ` ${SECRET}\n`)).toBe(401);
	});

	it('takes the previous secret alone, and says "current" when both are the same', async () => {
		const previousOnly = await start({ credentials: { callbackSecret: '', previousCallbackSecret: PREVIOUS } });
		expect(await accepts(previousOnly, PREVIOUS)).toBe(true);
		expect(await previousOnly.runHook('create')).toBe(true);
		const same = await start({ credentials: { callbackSecret: SECRET, previousCallbackSecret: SECRET } });
		expect(await accepts(same, SECRET)).toBe(false);
	});

	it('treats a secret of spaces as no secret (401, and activation refused)', async () => {
		const server = await start({ credentials: { ...CREDENTIALS, callbackSecret: '   ' } });
		const body = payload({});
		expect((await send(server, body, sign(body, '   '))).json).toEqual({ status: 'rejected', reason: 'no-secret' });
		await expect(server.runHook('create')).rejects.toThrow('The G2 Sentry credential has no callback secret');
	});
});

describe('simultaneous deliveries', () => {
	it('emits each event of one job once when all of them and their retries arrive together', async () => {
		const server = await start();
		const events = [
			payload({ jobId: 5 }),
			payload({ jobId: 5, eventType: 'JobStarted', jobStatus: 'InProgress' }),
			payload({ jobId: 5, eventType: 'JobCompleted', jobStatus: 'Completed' }),
		];
		const replies = await Promise.all([...events, ...events, ...events].map((body) => send(server, body)));
		expect(replies.every((reply) => reply.status === 200)).toBe(true);
		expect(server.items().map((item) => item.eventType).sort()).toEqual(['JobAssigned', 'JobCompleted', 'JobStarted']);
	});
});

describe('settings gone wrong', () => {
	it('reads an Events value of null as all events', async () => {
		const server = await start({ parameters: { events: null } });
		expect((await send(server, payload({}))).json).toEqual({ status: 'accepted' });
	});

	it('refuses an Events value that is not a list by name, before remembering the event', async () => {
		const server = await start({ parameters: { events: 42 } });
		expect((await send(server, payload({}))).status).toBe(500);
		expect(server.errors.map((error) => (error as Error).message)).toEqual([
			'The Events parameter must be a list of event names such as JobAssigned',
		]);
		// the user puts it right; G2 Sentry's retry of the same callback must now start the workflow
		server.reconfigure({ events: ['JobAssigned'] });
		expect((await send(server, payload({}))).json).toEqual({ status: 'accepted' });
		expect(server.items()).toHaveLength(1);
	});
});

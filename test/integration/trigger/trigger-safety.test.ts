/**
 * The trigger over real HTTP when what it reads is not what it expects: a hostile or broken saved
 * memory, a previous callback secret past its end, a credential that cannot be read. Deliveries
 * keep working, nothing is accepted that should not be, and n8n's log is told once, not per request.
 */
import { logs } from '../../../lab/helpers/webhook-context';
import { CREDENTIALS, payload, PREVIOUS, send, sign, useTriggerServers } from './fixture';

const start = useTriggerServers();
const STATIC_KEY = 'node:G2 Sentry Trigger';
const warnings = (text: string) => logs.filter((entry) => entry.level === 'warn' && entry.message.includes(text));

beforeEach(() => {
	logs.length = 0;
});

describe('a saved memory that cannot be read', () => {
	const hostile: Array<[string, unknown]> = [
		['__proto__ and constructor keys (format 3)', { v: 3, jobs: '__proto__=1.0.0.a constructor=1.0.0.a toString=1.0.0.a 9142=1.0.0.a', pruned: 0 }],
		['prototype keys (format 2)', JSON.parse('{"v":2,"jobs":{"__proto__":"1.0.0.a","constructor":"x","hasOwnProperty":"1.0.0.a"},"pruned":0}')],
		['prototype keys (0.1.x)', JSON.parse('{"v":1,"jobs":{"__proto__":{"a":1},"valueOf":{"a":"x"},"9142":{"a":"1e400","w":[],"p":[{}]}}}')],
		['a huge string', { v: 3, jobs: `1=${'9'.repeat(200_000)}`, pruned: 0 }],
		['wrong types', { v: 3, jobs: ['9142=1.0.0.a'], pruned: 'yesterday', shared: {} }],
		['not an object at all', 'corrupted'],
		['an array', [1, 2, 3]],
	];

	it.each(hostile)('%s: deliveries are emitted, the store is saved clean, one warning', async (_name, saved) => {
		const server = await start({ staticData: { [STATIC_KEY]: { deliveries: saved as never } } });
		const first = await send(server, payload({ guardianPhone: '+15550100' }));
		expect(first.status).toBe(200);
		expect(first.json).toEqual({ status: 'accepted' });
		const started = payload({ eventType: 'JobStarted', jobStatus: 'InProgress' });
		expect((await send(server, started)).json).toEqual({ status: 'accepted' });
		expect((await send(server, started)).json).toEqual({ status: 'duplicate' });
		expect(server.errors).toEqual([]);
		const deliveries = (server.savedStaticData()[STATIC_KEY] as { deliveries: { jobs: string } }).deliveries;
		expect(deliveries.jobs).toMatch(/^9142=[^ ]+$/);
		// only the first request read the broken copy; the warning says so once
		expect(warnings('could not be read')).toHaveLength(1);
		expect(({} as Record<string, unknown>)['9142']).toBeUndefined();
	});

	it('warns once per workflow and hour, not per delivery', async () => {
		const broken = { v: 3, jobs: '__proto__=1.0.0.a', pruned: 0 };
		const server = await start({ staticData: { [STATIC_KEY]: { deliveries: broken } } });
		await send(server, payload({}));
		server.restart();
		await send(server, payload({ jobId: 2 }));
		expect(warnings('could not be read')).toHaveLength(1);
		// another workflow gets its own line
		const other = await start({ staticData: { [STATIC_KEY]: { deliveries: broken } } });
		await send(other, payload({}));
		expect(warnings('could not be read')).toHaveLength(2);
	});
});

describe('the previous callback secret and its end', () => {
	const inAWeek = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
	const yesterday = new Date(Date.now() - 24 * 3600_000).toISOString();
	const withPrevious = (until: string) => ({ credentials: { ...CREDENTIALS, previousCallbackSecret: PREVIOUS, previousCallbackSecretValidUntil: until } });

	it('before its end: accepted, the item says which secret verified it, one warning a day', async () => {
		const server = await start(withPrevious(inAWeek));
		for (const jobId of [1, 2, 3]) {
			const body = payload({ jobId });
			expect((await send(server, body, sign(body, PREVIOUS))).json).toEqual({ status: 'accepted' });
		}
		expect(server.items().map((item) => [item.verifiedWith, item.signedWithPreviousSecret])).toEqual([
			['previous', true],
			['previous', true],
			['previous', true],
		]);
		expect(warnings('still signed with the previous callback secret')).toHaveLength(1);
		expect(warnings('still signed with the previous callback secret')[0].message).toContain(`until ${inAWeek}`);
		// the current secret is unaffected and says so
		await send(server, payload({ jobId: 4 }));
		expect(server.items().at(-1)!.verifiedWith).toBe('current');
	});

	it('after its end: refused 401, no run, logged once a minute; the current secret still works', async () => {
		const server = await start(withPrevious(yesterday));
		for (const jobId of [1, 2]) {
			const body = payload({ jobId });
			const reply = await send(server, body, sign(body, PREVIOUS));
			expect(reply.status).toBe(401);
			expect(reply.json).toEqual({ status: 'rejected', reason: 'previous-secret-ended' });
		}
		expect(server.items()).toEqual([]);
		expect(warnings('callback refused')).toHaveLength(1);
		expect(warnings('callback refused')[0].message).toContain(`ended ${yesterday}`);
		expect(JSON.stringify(logs)).not.toContain(PREVIOUS);
		// nothing about the refused events was remembered: their retries, signed right, still run
		expect((await send(server, payload({ jobId: 1 }))).json).toEqual({ status: 'accepted' });
	});

	it('reads a date without time zone as UTC, and refuses the previous secret when the end is no date', async () => {
		const endedAnHourAgo = new Date(Date.now() - 3600_000).toISOString().replace('Z', '');
		for (const until of [endedAnHourAgo, 'next tuesday']) {
			const server = await start(withPrevious(until));
			const body = payload({});
			expect((await send(server, body, sign(body, PREVIOUS))).status).toBe(401);
		}
	});

	it('without an end (as before the field existed): accepted, and the warning says it has no end', async () => {
		const server = await start(withPrevious(''));
		const body = payload({});
		expect((await send(server, body, sign(body, PREVIOUS))).json).toEqual({ status: 'accepted' });
		expect(warnings('without end')).toHaveLength(1);
	});

	it('refuses to register a trigger whose only secret is a previous one past its end', async () => {
		const server = await start({ credentials: { ...CREDENTIALS, callbackSecret: '', previousCallbackSecret: PREVIOUS, previousCallbackSecretValidUntil: yesterday } });
		await expect(server.runHook('create')).rejects.toThrow(/no callback secret/);
	});
});

describe('a credential that cannot be read', () => {
	it('refuses with 401 and logs it once a minute per workflow, not per request', async () => {
		const server = await start({ credentials: null });
		for (let i = 0; i < 5; i++) expect((await send(server, payload({ jobId: i + 1 }))).status).toBe(401);
		expect(warnings('credential could not be read')).toHaveLength(1);
		const other = await start({ credentials: null });
		await send(other, payload({}));
		expect(warnings('credential could not be read')).toHaveLength(2);
	});
});

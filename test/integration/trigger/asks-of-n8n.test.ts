/**
 * What one delivery asks of n8n (parameter evaluations, credential reads, static data), counted on
 * the context webhook() runs with (lab/helpers/asked-of-n8n.ts): a refused request must not
 * evaluate parameters or touch the memory, what is needed is asked for once, and the credential
 * is read once per CALLBACK_SECRETS_CACHE_MS (nodes/G2SentryTrigger/secretsCache.ts). Only Date
 * is faked, so the clock can be moved on; timers and sockets are real.
 */
import { countAsks, nothingAsked, type AskedOfN8n } from '../../../lab/helpers/asked-of-n8n';
import { CALLBACK_SECRETS_CACHE_MS, CALLBACK_SECRETS_RECHECK_MS } from '../../../nodes/G2SentryTrigger/secretsCache';
import { payload, send, sign, useFakeDate, useTriggerServers } from './fixture';

const start = useTriggerServers();
useFakeDate();

interface Delivery {
	body: string;
	signature: string | null;
	/** how far the clock moves on before this delivery */
	afterMs?: number;
}

/** Sends the deliveries in order to one trigger node (a new workflow, nothing cached yet). */
async function counted(deliveries: Delivery[]): Promise<{ asks: AskedOfN8n[]; statuses: number[] }> {
	let current = nothingAsked();
	const server = await start({ observeContext: (context) => countAsks(context, current) });
	const asks: AskedOfN8n[] = [];
	const statuses: number[] = [];
	for (const { body, signature, afterMs } of deliveries) {
		jest.setSystemTime(Date.now() + (afterMs ?? 0));
		current = nothingAsked();
		statuses.push((await send(server, body, signature)).status);
		asks.push(current);
	}
	return { asks, statuses };
}

const genuine = (jobId: number, afterMs = 0): Delivery => {
	const body = payload({ jobId });
	return { body, signature: sign(body), afterMs };
};
const forged = (afterMs = 0): Delivery => {
	const body = payload({});
	return { body, signature: sign(body, 'not-the-secret'), afterMs };
};

describe('what one delivery asks of n8n', () => {
	it('a genuine delivery and its duplicate: each parameter evaluated once, static data opened once, the credential read by the first only', async () => {
		const body = payload({});
		const { asks, statuses } = await counted([
			{ body, signature: sign(body) },
			{ body, signature: sign(body) },
		]);
		expect(statuses).toEqual([200, 200]);
		for (const asked of asks) {
			expect([...asked.parameters].sort()).toEqual(['events', 'options']);
			expect(asked.staticDataOpened).toBe(1);
			expect(asked.staticDataWrites).toBeLessThanOrEqual(1);
		}
		expect(asks.map((asked) => asked.credentialReads)).toEqual([1, 0]);
		expect(asks[0].staticDataWrites).toBe(1);
	});

	it('genuine deliveries read the credential once per CALLBACK_SECRETS_CACHE_MS', async () => {
		const { asks, statuses } = await counted([
			genuine(1),
			genuine(2, 1_000),
			genuine(3, 1_000),
			genuine(4, CALLBACK_SECRETS_CACHE_MS - 2_001),
			genuine(5, 1),
			genuine(6, 1_000),
		]);
		expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
		expect(asks.map((asked) => asked.credentialReads)).toEqual([1, 0, 0, 0, 1, 0]);
	});

	it('genuine deliveries arriving together while nothing is kept share one credential read', async () => {
		const asked = nothingAsked();
		const server = await start({ observeContext: (context) => countAsks(context, asked) });
		const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => send(server, payload({ jobId: 100 + i }))));
		expect(replies.map((reply) => reply.status)).toEqual(Array(8).fill(200));
		expect(asked.credentialReads).toBe(1);
	});

	it('a wrong signature reads the credential it is checked against, and nothing else', async () => {
		const { asks, statuses } = await counted([forged()]);
		expect(statuses).toEqual([401]);
		expect(asks[0]).toEqual({ ...nothingAsked(), credentialReads: 1 });
	});

	it('a flood of wrong signatures reads the credential at most once per CALLBACK_SECRETS_RECHECK_MS', async () => {
		const { asks, statuses } = await counted([
			genuine(1),
			forged(10),
			forged(10),
			forged(CALLBACK_SECRETS_RECHECK_MS - 11),
			forged(1),
			forged(10),
		]);
		expect(statuses).toEqual([200, 401, 401, 401, 401, 401]);
		expect(asks.map((asked) => asked.credentialReads)).toEqual([1, 1, 0, 0, 1, 0]);
		for (const asked of asks.slice(1)) expect({ ...asked, credentialReads: 0 }).toEqual(nothingAsked());
	});

	it.each([
		['no signature', null],
		['a signature that is not 64 hex digits', 'abc123'],
	])('%s is refused before the credential is read', async (_, signature) => {
		const { asks, statuses } = await counted([{ body: payload({}), signature }]);
		expect(statuses).toEqual([401]);
		expect(asks[0]).toEqual(nothingAsked());
	});

	it('a signed but malformed body evaluates no parameter and leaves static data alone', async () => {
		const body = '{"jobId":3}';
		const { asks, statuses } = await counted([
			{ body, signature: sign(body) },
			{ body, signature: sign(body) },
		]);
		expect(statuses).toEqual([400, 400]);
		expect(asks).toEqual([{ ...nothingAsked(), credentialReads: 1 }, nothingAsked()]);
	});
});

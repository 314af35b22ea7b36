/**
 * What one delivery asks of n8n (parameter evaluations, credential reads, static data), counted on
 * the context webhook() runs with (lab/helpers/asked-of-n8n.ts): a refused request must not
 * evaluate parameters or touch the memory, and what is needed is asked for once.
 */
import { countAsks, nothingAsked, type AskedOfN8n } from '../../../lab/helpers/asked-of-n8n';
import { payload, send, sign, useTriggerServers } from './fixture';

const start = useTriggerServers();

async function counted(deliveries: Array<{ body: string; signature: string | null }>): Promise<{ asks: AskedOfN8n[]; statuses: number[] }> {
	let current = nothingAsked();
	const server = await start({ observeContext: (context) => countAsks(context, current) });
	const asks: AskedOfN8n[] = [];
	const statuses: number[] = [];
	for (const { body, signature } of deliveries) {
		current = nothingAsked();
		statuses.push((await send(server, body, signature)).status);
		asks.push(current);
	}
	return { asks, statuses };
}

describe('what one delivery asks of n8n', () => {
	it('a genuine delivery and its duplicate: each parameter evaluated once, the credential read once, static data opened once', async () => {
		const body = payload({});
		const { asks, statuses } = await counted([
			{ body, signature: sign(body) },
			{ body, signature: sign(body) },
		]);
		expect(statuses).toEqual([200, 200]);
		for (const asked of asks) {
			expect([...asked.parameters].sort()).toEqual(['events', 'options']);
			expect(asked.credentialReads).toBe(1);
			expect(asked.staticDataOpened).toBe(1);
			expect(asked.staticDataWrites).toBeLessThanOrEqual(1);
		}
		expect(asks[0].staticDataWrites).toBe(1);
	});

	it('a wrong signature reads the credential it is checked against, and nothing else', async () => {
		const body = payload({});
		const { asks, statuses } = await counted([{ body, signature: sign(body, 'not-the-secret') }]);
		expect(statuses).toEqual([401]);
		expect(asks[0]).toEqual({ ...nothingAsked(), credentialReads: 1 });
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
		const { asks, statuses } = await counted([{ body, signature: sign(body) }]);
		expect(statuses).toEqual([400]);
		expect(asks[0]).toEqual({ ...nothingAsked(), credentialReads: 1 });
	});
});

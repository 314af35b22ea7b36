/**
 * The callback secrets are kept for CALLBACK_SECRETS_CACHE_MS (nodes/G2SentryTrigger/secretsCache.ts):
 * a credential edited meanwhile takes effect at once for a callback signed with the new secret
 * (it makes the node read the credential again), and a removed secret is refused at the latest
 * once the kept read expires. Only Date is faked, so the clock can be moved on.
 */
import { CALLBACK_SECRETS_CACHE_MS } from '../../../nodes/G2SentryTrigger/secretsCache';
import { payload, PREVIOUS, SECRET, send, sign, useFakeDate, useTriggerServers } from './fixture';

const NEW_SECRET = 'rotated-callback-secret';
const start = useTriggerServers();
useFakeDate();

const later = (ms: number) => jest.setSystemTime(Date.now() + ms);

describe('a credential edited while the workflow runs', () => {
	it('a callback signed with the new secret is accepted on its first attempt, and the removed secret is refused from then on', async () => {
		const server = await start();
		expect((await send(server, payload({ jobId: 1 }))).json).toEqual({ status: 'accepted' });
		server.updateCredential({ callbackSecret: NEW_SECRET, previousCallbackSecret: '' });
		later(100);
		const body = payload({ jobId: 2 });
		expect((await send(server, body, sign(body, NEW_SECRET))).json).toEqual({ status: 'accepted' });
		expect(server.items().map((item) => [item.jobId, item.verifiedWith])).toEqual([
			[1, 'current'],
			[2, 'current'],
		]);
		const old = payload({ jobId: 3 });
		expect((await send(server, old, sign(old, SECRET))).json).toEqual({ status: 'rejected', reason: 'mismatch' });
	});

	it(`a removed secret no callback has re-read is accepted for at most ${CALLBACK_SECRETS_CACHE_MS / 1000} s, then refused`, async () => {
		const server = await start();
		await send(server, payload({ jobId: 1 }));
		// a revocation: the previous secret emptied, the current one replaced
		server.updateCredential({ callbackSecret: NEW_SECRET, previousCallbackSecret: '' });
		later(CALLBACK_SECRETS_CACHE_MS - 1);
		expect((await send(server, payload({ jobId: 2 }))).json).toEqual({ status: 'accepted' });
		later(1);
		expect((await send(server, payload({ jobId: 3 })))).toMatchObject({ status: 401, json: { status: 'rejected', reason: 'mismatch' } });
		expect(server.items().map((item) => item.jobId)).toEqual([1, 2]);
	});

	it('"Previous Secret Valid Until" is applied at each delivery, also while the secrets are kept', async () => {
		const validUntil = new Date(Date.now() + 2_000).toISOString();
		const server = await start({
			credentials: { environment: 'custom', callbackSecret: SECRET, previousCallbackSecret: PREVIOUS, previousCallbackSecretValidUntil: validUntil },
		});
		const first = payload({ jobId: 1 });
		expect((await send(server, first, sign(first, PREVIOUS))).json).toEqual({ status: 'accepted' });
		later(2_001);
		const second = payload({ jobId: 2 });
		expect((await send(server, second, sign(second, PREVIOUS))).json).toEqual({ status: 'rejected', reason: 'previous-secret-ended' });
		expect((await send(server, second)).json).toEqual({ status: 'accepted' });
	});
});

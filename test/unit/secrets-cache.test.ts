import { createHmac } from 'node:crypto';

import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import {
	CALLBACK_SECRETS_CACHE_MS,
	CALLBACK_SECRETS_RECHECK_MS,
	clearSecretsCache,
	MAX_CACHED_SECRETS,
	verifyCallback,
} from '../../nodes/G2SentryTrigger/secretsCache';

const BODY = Buffer.from('{"jobId":1,"eventType":"JobAssigned"}');
const sign = (secret: string) => createHmac('sha256', secret).update(BODY).digest('hex');

/** A webhook context with just what the cache asks of it; `credential` is what a read returns now. */
function node(options: { workflow?: string; nodeId?: string; credentialId?: string } = {}) {
	const state = { credential: { callbackSecret: 'one' } as IDataObject | Error, reads: 0 };
	const context = {
		getWorkflow: () => ({ id: options.workflow ?? 'wf-1' }),
		getNode: () => ({ id: options.nodeId ?? 'node-1', credentials: { g2SentryApi: { id: options.credentialId ?? 'cred-1', name: 'G2 Sentry' } } }),
		getCredentials: async () => {
			state.reads += 1;
			if (state.credential instanceof Error) throw state.credential;
			return state.credential;
		},
	} as unknown as IWebhookFunctions;
	const deliver = async (secret: string, now: number) => await verifyCallback(context, BODY, sign(secret), now);
	return { state, deliver };
}

beforeEach(() => clearSecretsCache());

describe('the callback secrets cache', () => {
	it('verifies within CALLBACK_SECRETS_CACHE_MS without reading the credential again, then reads it again', async () => {
		const { state, deliver } = node();
		expect((await deliver('one', 1_000)).check.valid).toBe(true);
		expect((await deliver('one', 1_000 + CALLBACK_SECRETS_CACHE_MS - 1)).check.valid).toBe(true);
		expect(state.reads).toBe(1);
		expect((await deliver('one', 1_000 + CALLBACK_SECRETS_CACHE_MS)).check.valid).toBe(true);
		expect(state.reads).toBe(2);
	});

	it('a secret removed from the credential is accepted until the cached read expires, then refused', async () => {
		const { state, deliver } = node();
		await deliver('one', 0);
		state.credential = { callbackSecret: 'two' };
		expect((await deliver('one', CALLBACK_SECRETS_CACHE_MS - 1)).check.valid).toBe(true);
		expect((await deliver('one', CALLBACK_SECRETS_CACHE_MS)).check).toEqual({ valid: false, reason: 'mismatch' });
	});

	it('a signature the cache refuses reads the credential again: a new secret is accepted at once', async () => {
		const { state, deliver } = node();
		await deliver('one', 0);
		state.credential = { callbackSecret: 'two' };
		expect((await deliver('two', 10)).check).toEqual({ valid: true, secretIndex: 0 });
		expect(state.reads).toBe(2);
		// the fresh read replaced the cached secrets: the removed one is refused from now on
		expect((await deliver('one', 20)).check.valid).toBe(false);
	});

	it('re-reads for a refused signature at most once per CALLBACK_SECRETS_RECHECK_MS', async () => {
		const { state, deliver } = node();
		await deliver('one', 0);
		for (let t = 100; t < 100 + CALLBACK_SECRETS_RECHECK_MS; t += 100) expect((await deliver('forged', t)).check.valid).toBe(false);
		expect(state.reads).toBe(2);
		// within that second a genuinely new secret is refused too (G2 Sentry retries it)
		state.credential = { callbackSecret: 'two' };
		expect((await deliver('two', 100 + CALLBACK_SECRETS_RECHECK_MS - 1)).check.valid).toBe(false);
		expect(state.reads).toBe(2);
		expect((await deliver('two', 100 + CALLBACK_SECRETS_RECHECK_MS)).check.valid).toBe(true);
		expect(state.reads).toBe(3);
	});

	it('re-reads for a match with a previous secret whose end has passed (the end may have been moved)', async () => {
		const { state, deliver } = node();
		state.credential = { callbackSecret: 'two', previousCallbackSecret: 'one', previousCallbackSecretValidUntil: '1970-01-01T00:00:01Z' };
		expect((await deliver('one', 500)).check).toEqual({ valid: true, secretIndex: 1 });
		state.credential = { ...state.credential, previousCallbackSecretValidUntil: '1970-01-01T00:01:00Z' };
		const late = await deliver('one', 2_000);
		expect(state.reads).toBe(2);
		expect(late.credential.previousUntil).toBe(60_000);
	});

	it('keeps one entry per workflow, node and credential id', async () => {
		const first = node({ credentialId: 'cred-1' });
		const other = node({ credentialId: 'cred-2' });
		other.state.credential = { callbackSecret: 'two' };
		await first.deliver('one', 0);
		expect((await other.deliver('two', 1)).check.valid).toBe(true);
		expect((await other.deliver('one', 2)).check.valid).toBe(false);
		expect((await first.deliver('one', 3)).check.valid).toBe(true);
		expect([first.state.reads, other.state.reads]).toEqual([1, 2]);
		for (const options of [{ workflow: 'wf-2' }, { nodeId: 'node-2' }]) {
			const another = node(options);
			await another.deliver('one', 4);
			expect(another.state.reads).toBe(1);
		}
	});

	it('does not keep a read that failed: the next delivery reads again', async () => {
		const { state, deliver } = node();
		state.credential = new Error('credential not found');
		const failed = await deliver('one', 0);
		expect(failed.check).toEqual({ valid: false, reason: 'no-secret' });
		expect(failed.readError?.message).toBe('credential not found');
		state.credential = { callbackSecret: 'one' };
		expect((await deliver('one', 1)).check.valid).toBe(true);
		expect(state.reads).toBe(2);
	});

	it('a re-read that fails refuses from the cached secrets and keeps them', async () => {
		const { state, deliver } = node();
		await deliver('one', 0);
		state.credential = new Error('database unavailable');
		const refused = await deliver('forged', 10);
		expect(refused.check).toEqual({ valid: false, reason: 'mismatch' });
		expect(refused.readError?.message).toBe('database unavailable');
		expect((await deliver('one', 20)).check.valid).toBe(true);
		expect(state.reads).toBe(2);
	});

	it('callbacks arriving together while nothing is cached share one read, failed or not', async () => {
		const { state, deliver } = node();
		state.credential = new Error('database unavailable');
		const failed = await Promise.all([deliver('one', 0), deliver('one', 0), deliver('one', 1)]);
		expect(failed.map((result) => result.readError?.message)).toEqual(Array(3).fill('database unavailable'));
		expect(state.reads).toBe(1);
		state.credential = { callbackSecret: 'one' };
		const together = await Promise.all(Array.from({ length: 8 }, (_, i) => deliver('one', 10 + i)));
		expect(together.every((result) => result.check.valid)).toBe(true);
		expect(state.reads).toBe(2);
	});

	it(`stays bounded at MAX_CACHED_SECRETS (${MAX_CACHED_SECRETS}) nodes: the one read longest ago goes first`, async () => {
		const nodes = Array.from({ length: MAX_CACHED_SECRETS + 1 }, (_, i) => node({ nodeId: `node-${i}` }));
		for (const n of nodes) await n.deliver('one', 0);
		await nodes[0].deliver('one', 1);
		await nodes[1].deliver('one', 1);
		expect(nodes[0].state.reads).toBe(2);
		expect(nodes[1].state.reads).toBe(2);
		await nodes[MAX_CACHED_SECRETS].deliver('one', 1);
		expect(nodes[MAX_CACHED_SECRETS].state.reads).toBe(1);
	});
});

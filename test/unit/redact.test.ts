import { REDACTED, redactDeep, redactText, secretsOf } from '../../nodes/shared/transport/redact';

describe('secretsOf', () => {
	it('takes the secret fields of every snapshot, longest first, once each', () => {
		const before = { partnerKey: 'public-key', partnerSecret: 'secret-123', accessToken: 'token-aaaaaa', refreshToken: '' };
		const after = { ...before, accessToken: 'token-aaaaaa-newer', callbackSecret: 'cb-secret', previousCallbackSecret: 'short' };
		expect(secretsOf(before, after, undefined)).toEqual(['token-aaaaaa-newer', 'token-aaaaaa', 'secret-123', 'cb-secret']);
	});
});

describe('redactText', () => {
	it('removes known secrets and any Bearer or Basic credential', () => {
		expect(redactText('bad token-aaaaaa-newer and secret-123', ['token-aaaaaa-newer', 'secret-123'])).toBe(
			`bad ${REDACTED} and ${REDACTED}`,
		);
		expect(redactText('header was Bearer eyJhbGc.iOi.JIUz, basic dXNlcjpwdw==', [])).toBe(
			`header was Bearer ${REDACTED}, basic ${REDACTED}`,
		);
	});

	it('leaves ordinary messages alone', () => {
		expect(redactText('Job 12 was not found', ['secret-123'])).toBe('Job 12 was not found');
	});
});

describe('redactDeep', () => {
	it('redacts strings at any depth, keys included, and survives cycles', () => {
		const body: Record<string, unknown> = {
			message: 'echo secret-123',
			headers: { authorization: 'Bearer abc', 'secret-123': 1 },
			list: ['secret-123', 7, null],
		};
		body.self = body;
		expect(redactDeep(body, ['secret-123'])).toEqual({
			message: `echo ${REDACTED}`,
			headers: { authorization: `Bearer ${REDACTED}`, [REDACTED]: 1 },
			list: [REDACTED, 7, null],
			self: '[circular]',
		});
		expect(body.message).toBe('echo secret-123'); // the original is untouched
	});

	it('copies an object met twice (not a cycle) both times', () => {
		const shared = { note: 'secret-123' };
		expect(redactDeep({ a: shared, b: shared }, ['secret-123'])).toEqual({ a: { note: REDACTED }, b: { note: REDACTED } });
	});
});

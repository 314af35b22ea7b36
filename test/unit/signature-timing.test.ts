/**
 * No early exit that could tell, by timing, which secret matched or how far a guess got: every
 * configured secret is hashed and compared with timingSafeEqual on every check. The crypto calls
 * are counted through a pass-through mock of node:crypto (the real functions still run).
 */
import * as crypto from 'node:crypto';

import { verifySignature } from '../../nodes/G2SentryTrigger/signature';

jest.mock('node:crypto', () => {
	const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
	return {
		...actual,
		createHmac: jest.fn(actual.createHmac),
		timingSafeEqual: jest.fn(actual.timingSafeEqual),
	};
});

const createHmac = crypto.createHmac as jest.MockedFunction<typeof crypto.createHmac>;
const timingSafeEqual = crypto.timingSafeEqual as jest.MockedFunction<typeof crypto.timingSafeEqual>;

const CURRENT = 'current-test-secret';
const PREVIOUS = 'previous-test-secret';
const body = Buffer.from('{"jobId":1,"eventType":"JobStarted"}');
const signedWith = (secret: string) =>
	jest.requireActual<typeof import('node:crypto')>('node:crypto').createHmac('sha256', secret).update(body).digest('hex');

beforeEach(() => jest.clearAllMocks());

describe('verifySignature timing', () => {
	it.each([
		['the current secret matches', signedWith(CURRENT), true],
		['the previous secret matches', signedWith(PREVIOUS), true],
		['no secret matches', signedWith('someone-else'), false],
		['only the first byte is wrong', '00' + signedWith(CURRENT).slice(2), false],
	])('hashes and compares under both secrets when %s', (_name, header, valid) => {
		expect(verifySignature(body, header, [CURRENT, PREVIOUS]).valid).toBe(valid);
		expect(createHmac.mock.calls.map((call) => call[1])).toEqual([CURRENT, PREVIOUS]);
		expect(timingSafeEqual).toHaveBeenCalledTimes(2);
		// whole 32-byte digests, never a prefix
		for (const [a, b] of timingSafeEqual.mock.calls) {
			expect((a as Buffer).length).toBe(32);
			expect((b as Buffer).length).toBe(32);
		}
	});

	it('computes nothing for a malformed header (its shape is public, no secret is involved)', () => {
		expect(verifySignature(body, 'abc', [CURRENT, PREVIOUS])).toEqual({ valid: false, reason: 'malformed-signature' });
		expect(createHmac).not.toHaveBeenCalled();
	});
});

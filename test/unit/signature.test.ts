/**
 * Known vectors: the expected signatures were computed once, independently of this code, with
 * `printf '%s' BODY | openssl dgst -sha256 -hmac SECRET` and are hard-coded here.
 */
import { signatureHeaderProblem, signBody, verifySignature } from '../../nodes/G2SentryTrigger/signature';

const SECRET = 'test-callback-secret';
const PREVIOUS = 'previous-test-secret';

const compact =
	'{"jobId":9142,"eventType":"JobAssigned","jobName":"Open house","jobStatus":"Assigned","guardianPhone":"+15550100"}';
const multiByte = '{"jobId":7,"eventType":"JobStarted","jobName":"Café Ünïcødé 🏠 東京","jobStatus":"InProgress"}';
const pretty =
	'{\n  "jobId": 42,\n  "eventType": "JobCompleted",\n  "jobName": "Overnight watch",\n  "jobStatus": "Completed"\n}\n';

const vectors = [
	{
		name: 'compact ASCII body',
		body: compact,
		bytes: 114,
		hex: '9b02fa0b08928d9b33a8cc48f3529c33383d6a3f917ee1050785927b721ad3d8',
	},
	{
		name: 'multi-byte UTF-8 job name',
		body: multiByte,
		bytes: 103,
		hex: '03c0f8a7cf376d458fc739431ea2816ea6f7377121fe464000592926a66fcce9',
	},
	{
		name: 'pretty-printed body with trailing newline',
		body: pretty,
		bytes: 109,
		hex: '8c6f2f93803bc068a3fbaa5d2afc5987db870218c9bd17de28812fe5937c69db',
	},
	{
		name: 'empty body',
		body: '',
		bytes: 0,
		hex: '74d74ae6fbc32b861b21d2eac390835653ccd1a974de4820371753f6f2d31536',
	},
];

describe('signBody', () => {
	it.each(vectors)('matches openssl for a $name', ({ body, bytes, hex }) => {
		const raw = Buffer.from(body, 'utf8');
		expect(raw.length).toBe(bytes); // guards the literal against editor re-encoding
		expect(signBody(raw, SECRET)).toBe(hex);
	});

	it('keys with a multi-byte UTF-8 secret as its UTF-8 bytes', () => {
		expect(signBody(Buffer.from(multiByte), 'sécret-ключ')).toBe(
			'f26145a8c69d2286ea5045d378c4e12f27d1a61ef2758976952d8add5675e13c',
		);
	});
});

describe('verifySignature', () => {
	it.each(vectors)('accepts the known signature of a $name', ({ body, hex }) => {
		expect(verifySignature(Buffer.from(body), hex, [SECRET])).toEqual({ valid: true, secretIndex: 0 });
	});

	it('accepts uppercase hex (same bytes)', () => {
		expect(verifySignature(Buffer.from(compact), vectors[0].hex.toUpperCase(), [SECRET]).valid).toBe(true);
	});

	it('accepts the previous secret during a rotation and says so', () => {
		const signed = '879a3ecc0795c85ebdb4dcc0394f5765ed53d295ea1625fa80dadc1328aa5796';
		expect(verifySignature(Buffer.from(compact), signed, [SECRET, PREVIOUS])).toEqual({
			valid: true,
			secretIndex: 1,
		});
		expect(verifySignature(Buffer.from(compact), signed, [SECRET, ''])).toEqual({
			valid: false,
			reason: 'mismatch',
		});
	});

	it('refuses a signature made with another secret', () => {
		expect(verifySignature(Buffer.from(compact), vectors[0].hex, ['another-secret'])).toEqual({
			valid: false,
			reason: 'mismatch',
		});
	});

	it('refuses a signature of the re-serialised JSON (escaped non-ASCII)', () => {
		// Python's json.dumps of the multi-byte body: same data, other bytes (137 of them).
		const reserialised = '62b13b9a5f83e6add932d64e8a6a62d61cf10b29802883b6306ce144e155ef95';
		expect(verifySignature(Buffer.from(multiByte), reserialised, [SECRET])).toEqual({
			valid: false,
			reason: 'mismatch',
		});
	});

	it('refuses the right signature over a body changed by one byte or trimmed', () => {
		expect(verifySignature(Buffer.from(pretty.trim()), vectors[2].hex, [SECRET]).valid).toBe(false);
		expect(verifySignature(Buffer.from(compact.replace('9142', '9143')), vectors[0].hex, [SECRET]).valid).toBe(
			false,
		);
	});

	it('reports the previous secret when only it is configured, and the current one when both are equal', () => {
		const underPrevious = signBody(Buffer.from(compact), PREVIOUS);
		expect(verifySignature(Buffer.from(compact), underPrevious, ['', PREVIOUS])).toEqual({ valid: true, secretIndex: 1 });
		expect(verifySignature(Buffer.from(compact), underPrevious, [undefined, PREVIOUS])).toEqual({
			valid: true,
			secretIndex: 1,
		});
		expect(verifySignature(Buffer.from(compact), vectors[0].hex, [SECRET, SECRET])).toEqual({ valid: true, secretIndex: 0 });
	});

	it.each([
		['truncated', vectors[0].hex.slice(0, 62)],
		['63 hex digits', vectors[0].hex.slice(0, 63)],
		['65 hex digits', vectors[0].hex + '0'],
		['too long', vectors[0].hex + '00'],
		['a non-hex letter', vectors[0].hex.slice(0, 63) + 'g'],
		['a trailing line break', vectors[0].hex + '\n'],
		['a tab before it', '\t' + vectors[0].hex],
		['two values joined by a comma (a repeated header as Node joins it)', `${vectors[0].hex}, ${vectors[0].hex}`],
		['non-hex characters', 'z' + vectors[0].hex.slice(1)],
		['a sha256= prefix', 'sha256=' + vectors[0].hex],
		['surrounding spaces', ' ' + vectors[0].hex],
		['base64 instead of hex', Buffer.from(vectors[0].hex, 'hex').toString('base64')],
	])('refuses a malformed header: %s', (_name, header) => {
		expect(verifySignature(Buffer.from(compact), header, [SECRET])).toEqual({
			valid: false,
			reason: 'malformed-signature',
		});
	});

	it('refuses a repeated header even if one value is right', () => {
		expect(verifySignature(Buffer.from(compact), [vectors[0].hex, vectors[0].hex], [SECRET])).toEqual({
			valid: false,
			reason: 'malformed-signature',
		});
	});

	it.each([undefined, '', [] as string[]])('refuses a missing header (%p)', (header) => {
		expect(verifySignature(Buffer.from(compact), header, [SECRET])).toEqual({
			valid: false,
			reason: 'missing-signature',
		});
	});

	it('refuses everything when no secret is configured, even a signature of the empty key', () => {
		const underEmptyKey = signBody(Buffer.from(compact), '');
		expect(verifySignature(Buffer.from(compact), underEmptyKey, ['', undefined])).toEqual({
			valid: false,
			reason: 'no-secret',
		});
		expect(verifySignature(Buffer.from(compact), underEmptyKey, [])).toEqual({ valid: false, reason: 'no-secret' });
	});

	it('round-trips what signBody produces', () => {
		const body = Buffer.from(multiByte);
		expect(verifySignature(body, signBody(body, PREVIOUS), [SECRET, PREVIOUS])).toEqual({
			valid: true,
			secretIndex: 1,
		});
	});
});

describe('signatureHeaderProblem (the form alone, before any secret is read)', () => {
	it.each([
		[undefined, 'missing-signature'],
		['', 'missing-signature'],
		[[], 'missing-signature'],
		['abc123', 'malformed-signature'],
		['g'.repeat(64), 'malformed-signature'],
		['a'.repeat(63), 'malformed-signature'],
		[['a'.repeat(64), 'b'.repeat(64)], 'malformed-signature'],
		['a'.repeat(64), undefined],
		['ABCDEF'.repeat(10) + 'abcd', undefined],
	])('%j → %s', (header, problem) => {
		expect(signatureHeaderProblem(header as string | string[] | undefined)).toBe(problem);
	});

	it('agrees with verifySignature once a secret is set', () => {
		for (const header of [undefined, '', 'abc123', ['x']]) {
			expect(verifySignature(Buffer.from(compact), header, [SECRET])).toEqual({ valid: false, reason: signatureHeaderProblem(header) });
		}
	});
});

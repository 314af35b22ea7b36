import { ENVIRONMENTS } from '../../nodes/shared/contract';
import { BaseUrlError, partnerBucketKey, resolveBaseUrl } from '../../nodes/shared/transport/environment';

describe('resolveBaseUrl', () => {
	it('maps demo and production to the vendor URLs, demo by default', () => {
		expect(resolveBaseUrl({ environment: 'demo' })).toBe(ENVIRONMENTS.demo);
		expect(resolveBaseUrl({ environment: 'production', baseUrl: 'http://ignored' })).toBe(ENVIRONMENTS.production);
		expect(resolveBaseUrl({})).toBe(ENVIRONMENTS.demo);
	});

	it('uses a custom URL without trailing slashes', () => {
		expect(resolveBaseUrl({ environment: 'custom', baseUrl: ' http://127.0.0.1:4010/api/v1// ' })).toBe(
			'http://127.0.0.1:4010/api/v1',
		);
	});

	it.each([
		[{ environment: 'custom', baseUrl: '' }, /Base URL is empty/],
		[{ environment: 'custom', baseUrl: 'not a url' }, /not a valid URL/],
		[{ environment: 'custom', baseUrl: 'ftp://x/api/v1' }, /must start with https:\/\//],
		[{ environment: 'staging' }, /Unknown G2 Sentry environment/],
		[{ environment: 'custom', baseUrl: 'https://me:hunter22@proxy.example/api/v1' }, /must not contain a user name or password/],
		[{ environment: 'custom', baseUrl: 'http://partner-api.g2sentry.invalid/api/v1' }, /must use https:\/\/ for partner-api\.g2sentry\.invalid/],
		[{ environment: 'custom', baseUrl: 'http://10.0.0.5:4010/api/v1' }, /plain http:\/\/ is accepted only for this machine/],
		[{ environment: 'custom', baseUrl: 'http://127.0.0.1.example.invalid/api/v1' }, /must use https:\/\//],
		[{ environment: 'custom', baseUrl: 'https://partner.example.invalid/api/v1?token=1' }, /must not contain a \?query or #fragment/],
		[{ environment: 'custom', baseUrl: 'https://partner.example.invalid/api/v1#x' }, /must not contain a \?query or #fragment/],
		[{ environment: 'custom', baseUrl: 'https://partner.example.invalid/api/v1?' }, /must not contain a \?query or #fragment/],
	])('explains %p', (settings, message) => {
		expect(() => resolveBaseUrl(settings)).toThrow(BaseUrlError);
		expect(() => resolveBaseUrl(settings)).toThrow(message);
	});

	it.each(['https://me:hunter22@proxy.example/api/v1', 'https://me:hunter22@bad host/api/v1'])(
		'never repeats a password written into the URL (%s)',
		(baseUrl) => {
			expect(() => resolveBaseUrl({ environment: 'custom', baseUrl })).toThrow(BaseUrlError);
			expect(() => resolveBaseUrl({ environment: 'custom', baseUrl })).not.toThrow(/hunter22/);
		},
	);

	it.each([
		'http://127.0.0.1:4010/api/v1',
		'http://127.8.9.10/api/v1',
		'http://localhost:4010/api/v1',
		'http://LOCALHOST/api/v1',
		'http://[::1]:4010/api/v1',
		'https://partner.example.invalid/api/v1',
	])('accepts %s (https anywhere, plain http on this machine only)', (baseUrl) => {
		expect(resolveBaseUrl({ environment: 'custom', baseUrl })).toBe(baseUrl);
	});

	it('keys pacing by server and partner key', () => {
		expect(partnerBucketKey('http://a/api/v1', 'k')).not.toBe(partnerBucketKey('http://b/api/v1', 'k'));
		expect(partnerBucketKey('http://a/api/v1', 'k')).not.toBe(partnerBucketKey('http://a/api/v1', 'j'));
	});
});

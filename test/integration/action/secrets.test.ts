/**
 * No secret in what n8n stores or shows for a failed item, even when the server echoes the
 * request back in its error (some gateways and debug proxies do): the access and refresh tokens,
 * the partner secret, the callback secrets. Real HTTP to a stub that answers with such echoes.
 */
import { G2Sentry } from '../../../nodes/G2Sentry/G2Sentry.node';
import { executeNode } from '../../../lab/helpers/execute-node';
import { useStubPartnerApi, type StubRequest } from '../../../lab/helpers/stubPartnerApi';
import { credentialsFor } from '../../../lab/helpers/action-setup';

const PARTNER_SECRET = 'partner-secret-for-tests-only';
const CALLBACK_SECRET = 'callback-secret-for-tests-only';
const PREVIOUS_CALLBACK_SECRET = 'old-callback-secret-for-tests-only';

const fixture = useStubPartnerApi();

const credentials = () =>
	credentialsFor(fixture.current.baseUrl, {
		partnerKey: 'stub-key',
		partnerSecret: PARTNER_SECRET,
		callbackSecret: CALLBACK_SECRET,
		previousCallbackSecret: PREVIOUS_CALLBACK_SECRET,
	});

/** Everything a careless server could send back: this request's headers and the login body. */
const echo = (request: StubRequest) => {
	const login = fixture.current.requests.find((r) => r.path.endsWith('/access/login'))?.body ?? '';
	const secretsSeen = [request.headers.authorization, login, CALLBACK_SECRET, PREVIOUS_CALLBACK_SECRET].join(' | ');
	return JSON.stringify({
		code: 'ECHO',
		message: `refused: ${secretsSeen}`,
		errors: [{ fieldName: String(request.headers.authorization), message: login }],
		request: { headers: request.headers, body: request.body },
	});
};

const secrets = () => [...fixture.current.issuedTokens, PARTNER_SECRET, CALLBACK_SECRET, PREVIOUS_CALLBACK_SECRET];

function expectNoSecret(what: unknown) {
	const text = JSON.stringify(what);
	for (const secret of secrets()) expect(text).not.toContain(secret);
	expect(text).not.toMatch(/Bearer (?!\[redacted\])/);
}

it.each([400, 403, 404, 422, 500])('HTTP %p echoing the request: the stopped execution keeps no secret', async (status) => {
	fixture.current.answer((request) => ({ status, body: echo(request) }));
	const result = await executeNode({
		nodeType: new G2Sentry(),
		// a review is a POST: a 500 is final at once instead of after three retries
		parameters: { resource: 'job', operation: 'review', jobId: '12', rate: 5 },
		credentials: credentials(),
	});
	expect(result.error?.message).toEqual(expect.any(String));
	expect((result.error as unknown as { httpCode: string }).httpCode).toBe(String(status));
	expectNoSecret(result.error);
	expectNoSecret(result.run);
});

it('HTTP 401 after the token was renewed: error items keep no secret, old or new token', async () => {
	fixture.current.answer((request) => ({ status: 401, body: echo(request) }));
	const result = await executeNode({
		nodeType: new G2Sentry(),
		parameters: { resource: 'job', operation: 'get', jobId: '12' },
		items: [{}, {}],
		credentials: credentials(),
		onError: 'continueErrorOutput',
	});
	expect(result.errorItems.map((i) => i.json.error)).toEqual([
		'G2 Sentry did not accept the credential',
		'G2 Sentry did not accept the credential',
	]);
	// a login, then a refresh per item: the error of each item may echo a token newer than the one it started with
	expect(fixture.current.requests.filter((r) => r.path.includes('/access/')).map((r) => r.path.replace(/.*\/access\//, ''))).toEqual(['login', 'refresh', 'refresh']);
	expect(JSON.stringify(result.errorItems)).toContain('[redacted]');
	expectNoSecret(result.errorItems);
	expectNoSecret(result.run);
	expect(fixture.current.issuedTokens).toHaveLength(6);
});

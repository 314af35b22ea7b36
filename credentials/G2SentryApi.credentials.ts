import { createHash } from 'node:crypto';

import {
	sleep,
	type ICredentialDataDecryptedObject,
	type ICredentialTestRequest,
	type ICredentialType,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type Icon,
	type INodeProperties,
} from 'n8n-workflow';

import { explainLoginFailure, G2SentryAuthError, notG2Sentry } from '../nodes/shared/transport/authFailure';
import { ENVIRONMENTS, REFRESH_TOKEN_HEADER } from '../nodes/shared/contract';
import { BaseUrlError, partnerBucketKey, resolveBaseUrl } from '../nodes/shared/transport/environment';
import { requestsPerMinute, sharedPacer } from '../nodes/shared/transport/pacing';
import { sharedCall } from '../nodes/shared/transport/sharedCall';
import { deadlines } from '../nodes/shared/transport/limits';
import { readTokens, sendAuthCall } from '../nodes/shared/transport/loginAnswer';

/**
 * The credential's type name: how nodes, workflows and n8n's database refer to it. Public (saved
 * workflows store it), so it never changes; everything in the package and its tests reads it here.
 */
export const CREDENTIAL_TYPE = 'g2SentryApi';

/**
 * How long the tokens a refresh returned are handed to other executions of this process that
 * present the same (now used up) refresh token: those that got their 401 at about the same time.
 * Their own refresh would be refused. A login is shared only while it runs: its tokens could be
 * handed to a caller after G2 Sentry had already revoked them.
 */
const SHARE_REFRESH_MS = 2_000;

/**
 * Login and refresh must not hang an execution when the server does not answer: an idle timeout
 * for n8n's client, and a whole-request deadline (LOGIN_DEADLINE_MS in
 * ../nodes/shared/transport/limits.ts) that also frees executions waiting for a shared login.
 */
const AUTH_IDLE_TIMEOUT_MS = 20_000;

/**
 * Sends `call` in a slot of the same per-key book as the nodes' requests (G2 Sentry counts logins
 * and refreshes too), booking `following` more slots right behind it for calls that come next.
 */
async function paced<T>(credentials: ICredentialDataDecryptedObject, baseUrl: string, following: number, call: () => Promise<T>): Promise<T> {
	const key = partnerBucketKey(baseUrl, credentials.partnerKey);
	const limit = requestsPerMinute(credentials);
	const { wait, slot } = sharedPacer.book(key, limit);
	for (let i = 0; i < following; i++) sharedPacer.reserve(key, limit);
	if (wait > 0) await sleep(wait);
	let answered = false;
	try {
		const result = await call();
		answered = true;
		return result;
	} finally {
		// a refusal is an answer too, but the error does not say whether one came: keep the guard
		sharedPacer.settle(key, slot, answered);
	}
}

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : value);

/** The base URL as an n8n expression, for the credential test (which n8n resolves itself). */
const BASE_URL_EXPRESSION = `={{ $credentials.environment === 'custom' ? String($credentials.baseUrl).trim().replace(/\\/+$/, '') : $credentials.environment === 'production' ? '${ENVIRONMENTS.production}' : '${ENVIRONMENTS.demo}' }}`;

export class G2SentryApi implements ICredentialType {
	name = CREDENTIAL_TYPE;

	displayName = 'G2 Sentry API';

	icon: Icon = { light: 'file:../nodes/icons/g2sentry.svg', dark: 'file:../nodes/icons/g2sentry.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-g2sentry#the-g2-sentry-api-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{
					name: 'Demo',
					value: 'demo',
					description: 'Test bookings; no real Guardian is dispatched',
				},
				{
					name: 'Production',
					value: 'production',
					description: 'Real bookings with real Guardians',
				},
				{
					name: 'Custom URL',
					value: 'custom',
					description: 'A local G2 Sentry sandbox or a proxy',
				},
			],
			default: 'demo',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. http://127.0.0.1:4010/api/v1',
			description: 'Full address of the Partner API, including /api/v1',
			required: true,
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Partner Key',
			name: 'partnerKey',
			type: 'string',
			default: '',
			required: true,
			description: 'Your partner key from the G2 Sentry partner portal',
		},
		{
			displayName: 'Partner Secret',
			name: 'partnerSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The secret that belongs to the partner key',
		},
		{
			displayName: 'Callback Secret',
			name: 'callbackSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Secret G2 Sentry signs its callbacks with (portal → callback settings). Only the G2 Sentry Trigger needs it.',
		},
		{
			displayName: 'Previous Callback Secret',
			name: 'previousCallbackSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only while you change the callback secret in the G2 Sentry portal: enter the old secret here so that callbacks still signed with it are accepted until the change is complete. Leave empty otherwise.',
		},
		{
			displayName: 'Previous Secret Valid Until',
			name: 'previousCallbackSecretValidUntil',
			type: 'dateTime',
			default: '',
			description:
				"When to stop accepting the previous callback secret (read as UTC when no time zone is given). Callbacks signed with it after this moment are refused with 401, and n8n's log says why. Empty: accepted without end, and n8n's log warns once a day per workflow while callbacks still use it.",
		},
		{
			displayName: 'Requests per Minute',
			name: 'requestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 60, numberPrecision: 0 },
			default: 60,
			description:
				"How many calls a minute this n8n may make with this partner key: G2 Sentry's limit is 60. Lower it when other systems use the same key or G2 Sentry set a lower limit for you. Calls are spaced to stay within it, logins and token refreshes included.",
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
	];

	/**
	 * Runs when n8n has no access token or the API answered 401 (tokens live 15 minutes).
	 * Refresh first (GET /access/refresh, refresh token in the `refreshToken` header); if that is
	 * refused or fails, log in again with key + secret. n8n stores both returned tokens, so one
	 * login serves every item and execution until G2 Sentry says otherwise.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		let baseUrl: string;
		try {
			baseUrl = resolveBaseUrl(credentials);
		} catch (error) {
			const message = error instanceof BaseUrlError ? error.message : 'The credential settings are invalid.';
			throw new G2SentryAuthError({ reason: 'badConfig', message, description: message });
		}

		const missing = [
			['Partner Key', credentials.partnerKey],
			['Partner Secret', credentials.partnerSecret],
		].filter(([, value]) => typeof value !== 'string' || value.trim() === '');
		if (missing.length > 0) {
			// an empty field would cost a login attempt and come back as "key and secret not accepted"
			const message = `The credential's ${missing.map(([label]) => label).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} empty. Copy ${missing.length > 1 ? 'them' : 'it'} from the G2 Sentry partner portal.`;
			throw new G2SentryAuthError({ reason: 'badConfig', message, description: message });
		}

		// With a stored access token, n8n is here after a 401 and re-sends the refused request once
		// when this returns: that call is booked right behind the first call made here.
		let resend = typeof credentials.accessToken === 'string' && credentials.accessToken !== '' ? 1 : 0;
		const takeResend = () => {
			const booked = resend;
			resend = 0;
			return booked;
		};
		// Executions of this process that got their 401 at the same moment share one refresh (a
		// refresh token works once) or login. Whoever joins books its own re-send slot.
		const bucket = partnerBucketKey(baseUrl, credentials.partnerKey);
		const once = async <T>(what: string, keepMs: number, call: (following: number) => Promise<T>): Promise<T> => {
			// a login that hangs is given up: waiters stop, the next caller starts afresh. Twice the
			// login deadline, since the call may first wait for its slot in the rate limit (paced)
			const runMs = 2 * deadlines.loginMs;
			const shared = sharedCall(`${bucket} ${what}`, keepMs, async () => await call(takeResend()), { runMs });
			if (shared.joined && takeResend() > 0) sharedPacer.reserve(bucket, requestsPerMinute(credentials));
			return await shared.result;
		};
		const httpRequest = async (options: IHttpRequestOptions) => await this.helpers.httpRequest(options);
		const storedRefreshToken = credentials.refreshToken;
		if (typeof storedRefreshToken === 'string' && storedRefreshToken !== '') {
			try {
				const refreshed: unknown = await once(`refresh ${storedRefreshToken}`, SHARE_REFRESH_MS, async (following) =>
					await paced(credentials, baseUrl, following, async () =>
						await sendAuthCall(httpRequest, {
							method: 'GET',
							url: `${baseUrl}/access/refresh`,
							headers: { [REFRESH_TOKEN_HEADER]: storedRefreshToken },
							json: true,
							returnFullResponse: true,
							timeout: AUTH_IDLE_TIMEOUT_MS,
						}),
					),
				);
				const read = readTokens(refreshed);
				if ('tokens' in read) {
					return { accessToken: read.tokens.accessToken, refreshToken: read.tokens.refreshToken };
				}
			} catch {
				// Refresh token expired, revoked or refused: a full login below decides.
			}
		}

		let login: unknown;
		try {
			const secretKey = createHash('sha256').update(String(trimmed(credentials.partnerSecret))).digest('base64url');
			login = await once(`login ${secretKey}`, 0, async (following) =>
				await paced(credentials, baseUrl, following, async () =>
					await sendAuthCall(httpRequest, {
						method: 'POST',
						url: `${baseUrl}/access/login`,
						// pasted from the portal, key and secret often carry a stray space or line break
						body: { partnerKey: trimmed(credentials.partnerKey), partnerSecret: trimmed(credentials.partnerSecret) },
						json: true,
						returnFullResponse: true,
						timeout: AUTH_IDLE_TIMEOUT_MS,
					}),
				),
			);
		} catch (error) {
			throw explainLoginFailure(error, baseUrl);
		}
		const read = readTokens(login);
		if (!('tokens' in read)) throw notG2Sentry(baseUrl, read.problem, (login as { statusCode?: number } | undefined)?.statusCode);
		return { accessToken: read.tokens.accessToken, refreshToken: read.tokens.refreshToken };
	}

	/**
	 * The Bearer header, built in code rather than as an n8n expression: n8n 2.x evaluates
	 * expressions in an isolate that only executions, webhook requests and activation hold, and the
	 * trigger's catch-up (nodes/G2SentryTrigger/catchUp.ts) calls G2 Sentry after activation, where
	 * an expression fails ("No bridge acquired for this context").
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const token = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
		return { ...requestOptions, headers: { ...requestOptions.headers, Authorization: `Bearer ${token}` } };
	}

	/**
	 * n8n logs in (preAuthentication) before this request; the request then checks key + secret
	 * directly, so a wrong secret is caught even while a stored refresh token still works.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: '/access/login',
			method: 'POST',
			body: {
				partnerKey: '={{ String($credentials.partnerKey).trim() }}',
				partnerSecret: '={{ String($credentials.partnerSecret).trim() }}',
			},
			json: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'G2 Sentry did not accept the partner key and secret. Copy both again from the G2 Sentry partner portal.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'The server answered, but not like the G2 Sentry Partner API. Check the environment, or that a custom Base URL ends in /api/v1.',
				},
			},
		],
	};
}

import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { ENVIRONMENTS } from '../nodes/shared/contract';
import { renewTokens } from '../nodes/shared/transport/authentication';

/**
 * The credential's type name: how nodes, workflows and n8n's database refer to it. Public (saved
 * workflows store it), so it never changes; everything in the package and its tests reads it here.
 */
export const CREDENTIAL_TYPE = 'g2SentryApi';

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
	 * Runs when n8n has no access token, after a request threw a 401 (tokens live 15 minutes), and
	 * in the credential test: refresh, or log in with key + secret (see
	 * ../nodes/shared/transport/authentication.ts). n8n stores both tokens returned.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await renewTokens(this, credentials);
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

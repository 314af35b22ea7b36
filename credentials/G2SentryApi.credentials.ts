import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { explainLoginFailure, G2SentryAuthError, notG2Sentry } from '../nodes/shared/transport/authFailure';
import { ENVIRONMENTS, REFRESH_TOKEN_HEADER, type RefreshResponse } from '../nodes/shared/contract';
import { BaseUrlError, resolveBaseUrl } from '../nodes/shared/transport/environment';

/**
 * The credential's type name: how nodes, workflows and n8n's database refer to it. Public (saved
 * workflows store it), so it never changes; everything in the package and its tests reads it here.
 */
export const CREDENTIAL_TYPE = 'g2SentryApi';

/** Login and refresh must not hang an execution when the server does not answer. */
const AUTH_TIMEOUT_MS = 20_000;

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : value);

const hasTokens = (value: unknown): value is RefreshResponse =>
	value !== null &&
	typeof value === 'object' &&
	typeof (value as RefreshResponse).accessToken === 'string' &&
	(value as RefreshResponse).accessToken !== '' &&
	typeof (value as RefreshResponse).refreshToken === 'string';

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

		const storedRefreshToken = credentials.refreshToken;
		if (typeof storedRefreshToken === 'string' && storedRefreshToken !== '') {
			try {
				const refreshed: unknown = await this.helpers.httpRequest({
					method: 'GET',
					url: `${baseUrl}/access/refresh`,
					headers: { [REFRESH_TOKEN_HEADER]: storedRefreshToken },
					json: true,
					timeout: AUTH_TIMEOUT_MS,
				});
				if (hasTokens(refreshed)) {
					return { accessToken: refreshed.accessToken, refreshToken: refreshed.refreshToken };
				}
			} catch {
				// Refresh token expired, revoked or refused: a full login below decides.
			}
		}

		let login: unknown;
		try {
			login = await this.helpers.httpRequest({
				method: 'POST',
				url: `${baseUrl}/access/login`,
				// pasted from the portal, key and secret often carry a stray space or line break
				body: { partnerKey: trimmed(credentials.partnerKey), partnerSecret: trimmed(credentials.partnerSecret) },
				json: true,
				timeout: AUTH_TIMEOUT_MS,
			});
		} catch (error) {
			throw explainLoginFailure(error, baseUrl);
		}
		if (!hasTokens(login)) throw notG2Sentry(baseUrl, 'a response without tokens');
		return { accessToken: login.accessToken, refreshToken: login.refreshToken };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

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

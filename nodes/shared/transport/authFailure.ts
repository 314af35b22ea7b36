/**
 * Login/refresh failures, explained for the person who filled in the credential.
 *
 * The credential's preAuthentication throws a G2SentryAuthError; n8n wraps it (NodeApiError in
 * a node, the credential-test dialog shows its message). The message names the likely mistake
 * — wrong key/secret, wrong URL, unreachable host — and never contains a secret. Deliberately no
 * `code`/`status` properties on the error itself: n8n would replace the sentence with a generic
 * one derived from them.
 *
 * The transport must tell this failure from others on every n8n version. n8n-workflow before
 * 2.34 drops the link (`cause`) from n8n's NodeApiError to this error; what it keeps is the
 * message, the description, and a status found under a few names, `errorCode` among them, which
 * becomes the NodeApiError's `httpCode`. So the failure's kind rides there as a marker
 * (`g2sentry-login:<reason>:<status or network code>`): not a status n8n knows, so n8n leaves
 * the sentence alone, and the NodeApiError it is on never reaches the user (the transport
 * replaces it). `code`, `status` and `response` stay unset: the credential test reads those.
 */

import { causeChain } from './causeChain';
import { urlPart } from './environment';
import { deadlines, LOGIN_DEADLINE_CODE } from './limits';

export type AuthFailureReason = 'rejected' | 'notG2Sentry' | 'unreachable' | 'serverError' | 'rateLimited' | 'badConfig';

export interface AuthFailure {
	reason: AuthFailureReason;
	message: string;
	description: string;
	/** HTTP status G2 Sentry (or whatever answered) gave, if any */
	status?: number;
	/** network error code (ECONNREFUSED, ENOTFOUND, …) when nothing answered */
	networkCode?: string;
}

const MARKER = /^g2sentry-login:([A-Za-z0-9]+):(.*)$/;

export class G2SentryAuthError extends Error {
	readonly description: string;

	/** the marker n8n keeps as the NodeApiError's httpCode (see the file comment) */
	readonly errorCode: string;

	constructor(readonly authFailure: AuthFailure) {
		super(authFailure.message);
		this.name = 'G2SentryAuthError';
		this.description = authFailure.description;
		this.errorCode = `g2sentry-login:${authFailure.reason}:${authFailure.status ?? authFailure.networkCode ?? ''}`;
	}
}

/** The login failure behind `error`: through `cause` (n8n-workflow ≥ 2.34) or the marker (older). */
export function findAuthFailure(error: unknown): AuthFailure | undefined {
	for (const link of causeChain(error)) {
		const candidate = link.authFailure as AuthFailure | undefined;
		if (candidate && typeof candidate.message === 'string') return candidate;
	}
	for (const link of causeChain(error)) {
		const marker = typeof link.httpCode === 'string' ? MARKER.exec(link.httpCode) : null;
		if (!marker || typeof link.message !== 'string') continue;
		const [, reason, detail] = marker;
		const status = /^\d{3}$/.test(detail) ? Number(detail) : undefined;
		return {
			reason: reason as AuthFailureReason,
			message: link.message,
			description: typeof link.description === 'string' ? link.description : link.message,
			...(status !== undefined ? { status } : detail !== '' ? { networkCode: detail } : {}),
		};
	}
	return undefined;
}

function networkCodeOf(error: unknown): string | undefined {
	for (const link of causeChain(error)) {
		if (typeof link.code === 'string' && link.code !== '') return link.code;
	}
	return undefined;
}

function statusOf(error: unknown): number | undefined {
	const status = (error as { response?: { status?: unknown } } | undefined)?.response?.status;
	return typeof status === 'number' ? status : undefined;
}

/** Explains why `POST /access/login` failed (refresh failures fall back to a login, so only it is explained). */
export function explainLoginFailure(error: unknown, baseUrl: string): G2SentryAuthError {
	const origin = urlPart(baseUrl, 'origin');
	const status = statusOf(error);
	const where = `POST ${baseUrl}/access/login`;
	if (status === undefined) {
		const code = networkCodeOf(error);
		const unreachable = (message: string) =>
			new G2SentryAuthError({
				reason: 'unreachable',
				message,
				description: `${where} failed before any answer came back (${code ?? 'no error code'}).`,
				networkCode: code,
			});
		if (code === LOGIN_DEADLINE_CODE || code === 'ERR_CANCELED') {
			// only the login deadline aborts a login (./limits.ts): the server took too long
			return unreachable(
				`G2 Sentry at ${origin} did not complete the login within ${Math.round(deadlines.loginMs / 100) / 10} s. Try again later; if it persists, check that n8n can reach that server.`,
			);
		}
		if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
			return unreachable(
				`Could not find the server ${urlPart(baseUrl, 'host')}. Check the environment and, for a custom environment, the Base URL for typos.`,
			);
		}
		if (code === 'ECONNREFUSED') {
			return unreachable(
				`Nothing is answering at ${origin}. Check the Base URL (address and port) and that the service is running.`,
			);
		}
		if (code !== undefined && /CERT|SSL|TLS/i.test(code)) {
			return unreachable(`The secure connection to ${origin} failed: its certificate was not accepted.`);
		}
		return unreachable(
			`Could not connect to G2 Sentry at ${origin}. Check the Base URL and that n8n can reach that server.`,
		);
	}
	if (status === 401 || status === 403 || status === 400) {
		return new G2SentryAuthError({
			reason: 'rejected',
			status,
			message:
				'G2 Sentry did not accept the partner key and secret. Copy both again from the G2 Sentry partner portal; if the secret was rotated, use the new one.',
			description: `${where} answered HTTP ${status}.`,
		});
	}
	if (status === 429) {
		return new G2SentryAuthError({
			reason: 'rateLimited',
			status,
			message: 'G2 Sentry is limiting requests for this partner key right now. Wait a minute and try again.',
			description: `${where} answered HTTP 429.`,
		});
	}
	if (status >= 500) {
		return new G2SentryAuthError({
			reason: 'serverError',
			status,
			message: `G2 Sentry could not log in right now (server error ${status}). Try again in a few minutes.`,
			description: `${where} answered HTTP ${status}.`,
		});
	}
	return notG2Sentry(baseUrl, `HTTP ${status}`, status);
}

/** The credential's settings cannot work (no valid base URL, an empty key or secret): said as such. */
export function badConfig(message: string): G2SentryAuthError {
	return new G2SentryAuthError({ reason: 'badConfig', message, description: message });
}

/** The server answered 2xx but not with tokens: most likely the wrong URL. */
export function notG2Sentry(baseUrl: string, what: string, status?: number): G2SentryAuthError {
	return new G2SentryAuthError({
		reason: 'notG2Sentry',
		status,
		message: `The server at ${urlPart(baseUrl, 'origin')} answered, but not like the G2 Sentry Partner API. Check the environment, or for a custom environment that the Base URL ends in /api/v1.`,
		description: `POST ${baseUrl}/access/login gave ${what} instead of a login response.`,
	});
}

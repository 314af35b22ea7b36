/**
 * Which G2 Sentry server a credential talks to. Pure and n8n-free: the credential (login,
 * refresh, test) and the transport (every API call) must agree on the same base URL.
 */
import { ENVIRONMENTS, type Environment } from '../contract';

export interface EnvironmentSettings {
	environment?: unknown;
	baseUrl?: unknown;
}

export class BaseUrlError extends Error {}

/**
 * The base URL (including /api/v1, without a trailing slash) for the credential's environment.
 * Throws a BaseUrlError with a message meant for the person filling in the credential.
 */
export function resolveBaseUrl(settings: EnvironmentSettings): string {
	const environment = (settings.environment ?? 'demo') as Environment;
	if (environment === 'demo' || environment === 'production') {
		return ENVIRONMENTS[environment];
	}
	if (environment !== 'custom') {
		throw new BaseUrlError(`Unknown G2 Sentry environment "${String(environment)}"`);
	}
	const raw = typeof settings.baseUrl === 'string' ? settings.baseUrl.trim() : '';
	if (raw === '') {
		throw new BaseUrlError(
			'The credential uses a custom environment but its Base URL is empty. Enter the full URL, ending in /api/v1.',
		);
	}
	const parsed = parseUrl(raw);
	if (!parsed) {
		// quoted only when it cannot hold a password (user:secret@host); messages reach every workflow user
		const quoted = raw.includes('@') ? '' : ` "${raw.length > 80 ? `${raw.slice(0, 80)}…` : raw}"`;
		throw new BaseUrlError(
			`The Base URL${quoted} is not a valid URL. Enter it in full, e.g. https://partner-api.example.com/api/v1.`,
		);
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new BaseUrlError(`The Base URL must start with https:// (or http:// for a local sandbox).`);
	}
	if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
		// the partner key and secret, and every token, would cross the network in clear
		throw new BaseUrlError(
			`The Base URL must use https:// for ${parsed.hostname}: plain http:// is accepted only for this machine (localhost, 127.x.x.x, [::1]), where a local sandbox runs.`,
		);
	}
	if (parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(raw)) {
		// a ?query or #fragment would end up inside every request path
		throw new BaseUrlError(
			'The Base URL must not contain a ?query or #fragment. Enter only the address, ending in /api/v1.',
		);
	}
	if (parsed.username !== '' || parsed.password !== '') {
		// the HTTP client would send them as Basic auth in place of the Bearer token, and every
		// error message naming the URL would show them
		throw new BaseUrlError(
			'The Base URL must not contain a user name or password (user:password@…). G2 Sentry signs in with the partner key and secret.',
		);
	}
	return raw.replace(/\/+$/, '');
}

/** localhost, 127.0.0.0/8 or [::1]: where plain HTTP never leaves the machine. */
export function isLoopback(hostname: string): boolean {
	const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
	if (host === 'localhost' || host === '::1') return true;
	return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Origin + partner key: the unit G2 Sentry's rate limit counts against. */
export function partnerBucketKey(baseUrl: string, partnerKey: unknown): string {
	return `${baseUrl}#${typeof partnerKey === 'string' ? partnerKey.trim() : ''}`;
}

/** A part of the base URL for messages (never user info: resolveBaseUrl refuses it); the whole text if unparsable. */
export function urlPart(baseUrl: string, part: 'origin' | 'host'): string {
	return parseUrl(baseUrl)?.[part] ?? baseUrl;
}

function parseUrl(raw: string): URL | undefined {
	try {
		return new URL(raw);
	} catch {
		return undefined;
	}
}

/**
 * Which G2 Sentry server a credential talks to. Pure and n8n-free: the credential (login,
 * refresh, test) and the transport (every API call) must agree on the same base URL.
 */
import { ENVIRONMENTS, type Environment } from './contract';

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
		throw new BaseUrlError(
			`The Base URL "${raw}" is not a valid URL. Enter it in full, e.g. https://partner-api.example.com/api/v1.`,
		);
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new BaseUrlError(`The Base URL must start with https:// (or http:// for a local sandbox).`);
	}
	return raw.replace(/\/+$/, '');
}

/** Origin + partner key: the unit G2 Sentry's rate limit counts against. */
export function partnerBucketKey(baseUrl: string, partnerKey: unknown): string {
	return `${baseUrl}#${typeof partnerKey === 'string' ? partnerKey : ''}`;
}

function parseUrl(raw: string): URL | undefined {
	try {
		return new URL(raw);
	} catch {
		return undefined;
	}
}

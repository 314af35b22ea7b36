/**
 * The callback secrets of the credential, and how long the previous one (kept during a rotation)
 * is still accepted. Pure apart from reading the credential.
 *
 * The end of the previous secret is the credential's "Previous Secret Valid Until". Empty means
 * no end, as before that field existed: a build that started refusing a rotation left open would
 * lose genuine callbacks on upgrade (G2 Sentry stops retrying after about 74 minutes). The open
 * end is made visible instead: every item says which secret verified it, and n8n's log warns once
 * a day per workflow while the previous secret is still in use.
 */
import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';

export interface CallbackSecrets {
	/** current first, then previous; '' when not set */
	secrets: [string, string];
	/**
	 * When the previous secret stops being accepted (ms): undefined = no end set; NaN = a value
	 * that is no date (then it is not accepted: the user meant an end, and it cannot be told).
	 */
	previousUntil: number | undefined;
}

/** A date with a time zone as given; without one (n8n's date picker gives none) as UTC. */
export function parseValidUntil(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value !== 'string') return Number.NaN;
	const text = value.trim();
	if (text === '') return undefined;
	const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text);
	const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
	return Date.parse(hasZone || dateOnly ? text : `${text}Z`);
}

export async function readCallbackSecrets(context: IWebhookFunctions | IHookFunctions): Promise<CallbackSecrets> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	// Trimmed: a space or line break pasted along with the secret would refuse every callback.
	const text = (secret: unknown) => (typeof secret === 'string' ? secret.trim() : '');
	return {
		secrets: [text(credentials.callbackSecret), text(credentials.previousCallbackSecret)],
		previousUntil: parseValidUntil(credentials.previousCallbackSecretValidUntil),
	};
}

/** Whether the previous secret may still verify a callback at `now`. */
export function previousSecretAccepted(previousUntil: number | undefined, now: number): boolean {
	if (previousUntil === undefined) return true;
	return !Number.isNaN(previousUntil) && now <= previousUntil;
}

/** The secrets that may verify a callback at `now` (an ended previous secret left out). */
export function usableSecrets({ secrets, previousUntil }: CallbackSecrets, now: number): string[] {
	return [secrets[0], previousSecretAccepted(previousUntil, now) ? secrets[1] : ''];
}

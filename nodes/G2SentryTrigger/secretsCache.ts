/**
 * The callback secrets a trigger node verifies against, kept in this process for a few seconds.
 *
 * In n8n 2.x each credential read is a database query plus an expression isolate built for it
 * alone (docs/performance.md): about a third of what a genuine callback costs n8n. So within
 * CALLBACK_SECRETS_CACHE_MS of a read, a delivery verifies against the secrets read then.
 *
 * A signature those secrets do not let in is checked again against a fresh read, so a new
 * secret (a rotation) takes effect at once. That re-read happens at most once per
 * CALLBACK_SECRETS_RECHECK_MS per node: a forged flood costs at most one credential read a
 * second, and a genuine callback refused meanwhile (401) is retried by G2 Sentry after 1 s, 5 s,
 * 30 s and so on, so it is not lost.
 *
 * The price: a secret removed from the credential (a revocation) is still accepted for at most
 * CALLBACK_SECRETS_CACHE_MS by a process that read it before. "Previous Secret Valid Until" is
 * applied at each delivery, the cached date against the time of the delivery.
 *
 * Keyed by workflow, node and the node's credential id (a node switched to another credential
 * reads that one). A read that fails is not kept. Activation (the node's create hook) and
 * trigger() read the credential themselves, never from here.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../credentials/G2SentryApi.credentials';
import { previousSecretAccepted, readCallbackSecrets, type CallbackSecrets } from './callbackSecrets';
import { verifySignature, type SignatureCheck } from './signature';

/** How long secrets read from the credential verify callbacks without a new read. */
export const CALLBACK_SECRETS_CACHE_MS = 10_000;
/** How often, per node, a signature the cached secrets refuse makes the node read the credential again. */
export const CALLBACK_SECRETS_RECHECK_MS = 1_000;
/** Nodes whose secrets are kept; the one read longest ago goes first. */
export const MAX_CACHED_SECRETS = 200;

interface Entry {
	credential: CallbackSecrets;
	/** when the read that gave `credential` started */
	readAt: number;
	/** when a refused signature last made the node read again (-Infinity: never) */
	recheckedAt: number;
}

const cache = new Map<string, Entry>();
/**
 * Reads under way for a node with no fresh secrets: callbacks arriving together (G2 Sentry sends
 * bursts) wait for the same read instead of each reading. Removed once settled, so bounded by
 * the requests in flight.
 */
const reading = new Map<string, Promise<CallbackSecrets>>();

const NO_SECRETS: CallbackSecrets = { secrets: ['', ''], previousUntil: undefined };

export interface VerifiedCallback {
	check: SignatureCheck;
	/** the secrets and the previous secret's end the check used */
	credential: CallbackSecrets;
	/** the credential could not be read (not kept; the check used the cached secrets, or none) */
	readError?: Error;
}

/** Which node, which credential: the cache key. */
function keyOf(context: IWebhookFunctions): string {
	const node = context.getNode();
	const credential = node.credentials?.[CREDENTIAL_TYPE];
	return JSON.stringify([context.getWorkflow().id ?? '', node.id, credential?.id ?? credential?.name ?? '']);
}

const within = (since: number, now: number, ms: number) => now >= since && now - since < ms;

/** Whether the check lets the callback in at `now` (a match with an ended previous secret does not). */
const letsIn = (check: SignatureCheck, { previousUntil }: CallbackSecrets, now: number) =>
	check.valid && (check.secretIndex === 0 || previousSecretAccepted(previousUntil, now));

function remember(key: string, entry: Entry): void {
	const kept = cache.get(key);
	// a slower read that started before the kept one must not replace it with older secrets
	if (kept !== undefined && kept.readAt > entry.readAt) return;
	cache.delete(key);
	cache.set(key, entry);
	if (cache.size > MAX_CACHED_SECRETS) cache.delete(cache.keys().next().value as string);
}

/**
 * Checks the `X-Signature` header against the node's callback secrets: the cached ones while they
 * are fresh, the credential's own when they refuse it (at most once per CALLBACK_SECRETS_RECHECK_MS)
 * or are not fresh. The caller still decides on an ended previous secret (`credential.previousUntil`).
 */
export async function verifyCallback(
	context: IWebhookFunctions,
	rawBody: Buffer,
	header: string | string[] | undefined,
	now: number,
): Promise<VerifiedCallback> {
	const key = keyOf(context);
	const kept = cache.get(key);
	const fresh = kept !== undefined && within(kept.readAt, now, CALLBACK_SECRETS_CACHE_MS) ? kept : undefined;
	let refused: VerifiedCallback | undefined;
	if (fresh !== undefined) {
		const check = verifySignature(rawBody, header, fresh.credential.secrets);
		if (letsIn(check, fresh.credential, now) || within(fresh.recheckedAt, now, CALLBACK_SECRETS_RECHECK_MS)) {
			return { check, credential: fresh.credential };
		}
		fresh.recheckedAt = now;
		refused = { check, credential: fresh.credential };
	} else if (kept !== undefined) {
		cache.delete(key);
	}
	let credential: CallbackSecrets;
	try {
		// a re-read is never shared: a read under way may have started before the credential changed
		credential = refused === undefined ? await sharedRead(context, key, now) : await readCallbackSecrets(context);
	} catch (error) {
		return { ...(refused ?? { check: verifySignature(rawBody, header, NO_SECRETS.secrets), credential: NO_SECRETS }), readError: error as Error };
	}
	if (refused !== undefined) remember(key, { credential, readAt: now, recheckedAt: now });
	return { check: verifySignature(rawBody, header, credential.secrets), credential };
}

/** The read under way for `key`, or a new one, kept once it succeeds (a failure is not kept). */
async function sharedRead(context: IWebhookFunctions, key: string, now: number): Promise<CallbackSecrets> {
	const underWay = reading.get(key);
	if (underWay !== undefined) return await underWay;
	const read = readCallbackSecrets(context).then((credential) => {
		remember(key, { credential, readAt: now, recheckedAt: Number.NEGATIVE_INFINITY });
		return credential;
	});
	reading.set(key, read);
	try {
		return await read;
	} finally {
		reading.delete(key);
	}
}

/** Forgets every cached secret, as a restart of n8n would (used by tests). */
export function clearSecretsCache(): void {
	cache.clear();
	reading.clear();
}

/**
 * Authentication with G2 Sentry, in one place: the credential's preAuthentication
 * (credentials/G2SentryApi.credentials.ts) calls `renewTokens`, the transport (./index.ts) calls
 * `sendRenewingToken`.
 *
 * - **Login and refresh** (`renewTokens`): n8n runs the credential's preAuthentication when it has
 *   no access token, after a request threw a 401, and in the credential test. Refresh first (the
 *   refresh token in its header); if that is refused or fails, log in with key and secret. n8n
 *   stores both tokens it returns, so one login serves every item and execution.
 * - **The shared login** (./sharedCall.ts): executions of this process that got their 401 at the
 *   same moment share one refresh (a refresh token works once) or one login.
 * - **Pacing** (./pacing.ts): logins and refreshes count against the same per-key limit as every
 *   other call, and book the slot of the re-send n8n makes after them.
 * - **The deadline and the answer** (./loginAnswer.ts): each call is given up at LOGIN_DEADLINE_MS,
 *   its body read only up to the cap; only JSON with two plausible tokens counts.
 * - **The 401 re-send** (`sendRenewingToken`): how a request whose token was refused gets n8n to
 *   renew it and send the request again.
 * - **What a failure says** (./authFailure.ts): wrong key or secret, wrong URL, unreachable.
 */
import { createHash } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { REFRESH_TOKEN_HEADER } from '../contract';
import type { SuccessAnswer } from './answers';
import { badConfig, explainLoginFailure, notG2Sentry } from './authFailure';
import { BaseUrlError, partnerBucketKey, resolveBaseUrl } from './environment';
import { deadlines } from './limits';
import { readTokens, sendAuthCall } from './loginAnswer';
import type { Outcome } from './outcome';
import { inPacedSlot, requestsPerMinute, sharedPacer } from './pacing';
import { sharedCall } from './sharedCall';

/**
 * How long the tokens a refresh returned are handed to other executions of this process that
 * present the same (now used up) refresh token: those that got their 401 at about the same time.
 * Their own refresh would be refused. A login is shared only while it runs: its tokens could be
 * handed to a caller after G2 Sentry had already revoked them.
 */
const SHARE_REFRESH_MS = 2_000;

/**
 * Login and refresh must not hang an execution when the server does not answer: an idle timeout
 * for n8n's client, and a whole-request deadline (LOGIN_DEADLINE_MS in ./limits.ts) that also
 * frees executions waiting for a shared login.
 */
const AUTH_IDLE_TIMEOUT_MS = 20_000;

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : value);

/** The credential's fields as preAuthentication receives them, checked: a base URL and both keys. */
function checkedSettings(credentials: ICredentialDataDecryptedObject): string {
	let baseUrl: string;
	try {
		baseUrl = resolveBaseUrl(credentials);
	} catch (error) {
		throw badConfig(error instanceof BaseUrlError ? error.message : 'The credential settings are invalid.');
	}
	const missing = [
		['Partner Key', credentials.partnerKey],
		['Partner Secret', credentials.partnerSecret],
	].filter(([, value]) => typeof value !== 'string' || value.trim() === '');
	if (missing.length > 0) {
		// an empty field would cost a login attempt and come back as "key and secret not accepted"
		throw badConfig(
			`The credential's ${missing.map(([label]) => label).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} empty. Copy ${missing.length > 1 ? 'them' : 'it'} from the G2 Sentry partner portal.`,
		);
	}
	return baseUrl;
}

/**
 * New tokens for the credential (what its preAuthentication returns, and n8n stores): refreshed,
 * or after a refused refresh from a login. Throws a G2SentryAuthError that says what is wrong.
 */
export async function renewTokens(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<{ accessToken: string; refreshToken: string }> {
	const baseUrl = checkedSettings(credentials);
	const bucket = partnerBucketKey(baseUrl, credentials.partnerKey);
	const limit = requestsPerMinute(credentials);

	// With a stored access token, n8n is here after a 401 and re-sends the refused request once
	// when this returns: that call is booked right behind the first call made here.
	let resend = typeof credentials.accessToken === 'string' && credentials.accessToken !== '' ? 1 : 0;
	const takeResend = () => {
		const booked = resend;
		resend = 0;
		return booked;
	};
	// Executions of this process that got their 401 at the same moment share one refresh or login;
	// whoever joins books its own re-send slot.
	const once = async <T>(what: string, keepMs: number, options: IHttpRequestOptions): Promise<T> => {
		// a login that hangs is given up: waiters stop, the next caller starts afresh. Twice the
		// login deadline, since the call may first wait for its slot in the rate limit
		const runMs = 2 * deadlines.loginMs;
		const send = async () =>
			await inPacedSlot(bucket, limit, async () => await sendAuthCall(async (o) => await helper.helpers.httpRequest(o), options), {
				following: takeResend(),
			});
		const shared = sharedCall(`${bucket} ${what}`, keepMs, send, { runMs });
		if (shared.joined && takeResend() > 0) sharedPacer.reserve(bucket, limit);
		return (await shared.result) as T;
	};
	const common = { json: true, returnFullResponse: true, timeout: AUTH_IDLE_TIMEOUT_MS } as const;

	const storedRefreshToken = credentials.refreshToken;
	if (typeof storedRefreshToken === 'string' && storedRefreshToken !== '') {
		try {
			const refreshed = await once(`refresh ${storedRefreshToken}`, SHARE_REFRESH_MS, {
				...common,
				method: 'GET',
				url: `${baseUrl}/access/refresh`,
				headers: { [REFRESH_TOKEN_HEADER]: storedRefreshToken },
			});
			const read = readTokens(refreshed);
			if ('tokens' in read) return { accessToken: read.tokens.accessToken, refreshToken: read.tokens.refreshToken };
		} catch {
			// Refresh token expired, revoked or refused: a full login below decides.
		}
	}

	let login: unknown;
	try {
		const secretKey = createHash('sha256').update(String(trimmed(credentials.partnerSecret))).digest('base64url');
		login = await once(`login ${secretKey}`, 0, {
			...common,
			method: 'POST',
			url: `${baseUrl}/access/login`,
			// pasted from the portal, key and secret often carry a stray space or line break
			body: { partnerKey: trimmed(credentials.partnerKey), partnerSecret: trimmed(credentials.partnerSecret) },
		});
	} catch (error) {
		throw explainLoginFailure(error, baseUrl);
	}
	const read = readTokens(login);
	if (!('tokens' in read)) throw notG2Sentry(baseUrl, read.problem, (login as { statusCode?: number } | undefined)?.statusCode);
	return { accessToken: read.tokens.accessToken, refreshToken: read.tokens.refreshToken };
}

/**
 * Sends a request so that a refused token is renewed. The transport asks n8n for every answer as
 * a value (./outcome.ts explains why), but n8n renews the token (renewTokens, through the
 * credential's preAuthentication) only when a request *throws* a 401, and then re-sends it once.
 * So a 401 answered as a value is sent once more the throwing way: `send(true)`.
 *
 * Not a 401 too long to be G2 Sentry's (its body was cut at ANSWER_MAX_BYTES): that answer is
 * handed back as `notG2Sentry`, for the transport to report as unexpected. Sending again would
 * let n8n hold the body of the next such answer unread while it renews (it never gives it to us).
 */
export async function sendRenewingToken(
	send: (throwOn401: boolean) => Promise<Outcome>,
): Promise<{ outcome: Outcome; notG2Sentry?: SuccessAnswer }> {
	const first = await send(false);
	const refused = !first.ok && first.failure.kind === 'http' && first.failure.status === 401 && first.authMessage === undefined;
	if (!refused) return { outcome: first };
	if (first.cutAnswer) return { outcome: first, notG2Sentry: first.cutAnswer };
	return { outcome: await send(true) };
}

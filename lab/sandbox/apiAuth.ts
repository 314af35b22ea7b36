/** /access/login, /access/refresh, and the Bearer + rate-limit gate in front of every other route. */
import { ERROR_CODES, REFRESH_TOKEN_HEADER } from '../../nodes/shared/contract';
import { TokenStore, bearerToken } from './auth';
import type { SandboxCore } from './core';
import { error, json, parseJsonBody, route, validationError, type Reply, type RequestContext, type Route } from './http';
import { checkLogin } from './validation';

export interface ApiContext extends RequestContext {
	/** set once the request is tied to a partner (login body, refresh token or access token) */
	partnerKey?: string;
}

export function rateLimited(core: SandboxCore, partnerKey: string): Reply | null {
	const wait = core.limiter.take(partnerKey, core.config.rateLimitPerMinute, core.config.rateLimitWindowMs);
	if (wait === 0) return null;
	const reply = error(429, ERROR_CODES.rateLimited, `Rate limit of ${core.config.rateLimitPerMinute} requests per minute exceeded; retry in ${wait} s.`);
	reply.headers = { 'Retry-After': String(wait) };
	return reply;
}

/** Wraps a handler so it runs only with a live access token and within the partner's rate. */
export function authed(core: SandboxCore, handler: (ctx: ApiContext, partnerKey: string) => Reply | Promise<Reply>): Route['handler'] {
	return (ctx: ApiContext) => {
		const token = bearerToken(ctx.headers.authorization);
		if (!token) {
			// say which it is: no header at all, or one in another form (Basic, a bare token, "Bearer" alone)
			return unauthorized(ctx.headers.authorization
				? 'The Authorization header is not of the form "Bearer <accessToken>".'
				: 'Missing access token: send Authorization: Bearer <accessToken>.');
		}
		const partnerKey = core.tokens.authenticate(token);
		if (!partnerKey) return unauthorized('The access token is invalid or has expired; refresh it or log in again.');
		ctx.partnerKey = partnerKey;
		return rateLimited(core, partnerKey) ?? handler(ctx, partnerKey);
	};
}

function unauthorized(message: string): Reply {
	return { ...error(401, ERROR_CODES.unauthorized, message), headers: { 'WWW-Authenticate': 'Bearer' } };
}

export function authRoutes(core: SandboxCore): Route[] {
	return [
		route('POST', '/access/login', (ctx: ApiContext) => {
			const parsed = parseJsonBody(ctx);
			if (!parsed.ok) return parsed.reply;
			const checked = checkLogin(parsed.value);
			if (!checked.ok) return validationError(checked.errors);
			const { partnerKey, partnerSecret } = checked.value;
			if (core.partner(partnerKey)) {
				ctx.partnerKey = partnerKey;
				const limited = rateLimited(core, partnerKey);
				if (limited) return limited;
			}
			const partner = TokenStore.findPartner(core.config.partners, partnerKey, partnerSecret);
			if (!partner) return unauthorized('Unknown partner key or wrong partner secret.');
			const tokens = core.tokens.issue(partner.partnerKey, core.tokenLifetimes());
			return json(200, { partnerKey: partner.partnerKey, name: partner.name ?? partner.partnerKey, ...tokens });
		}),
		route('GET', '/access/refresh', (ctx: ApiContext) => {
			const header = ctx.headers[REFRESH_TOKEN_HEADER.toLowerCase()];
			const refreshToken = Array.isArray(header) ? header[0] : header;
			if (!refreshToken) return unauthorized(`Missing refresh token: send it in the ${REFRESH_TOKEN_HEADER} header.`);
			const owner = core.tokens.refreshOwner(refreshToken.trim());
			if (owner) {
				ctx.partnerKey = owner;
				const limited = rateLimited(core, owner);
				if (limited) return limited;
			}
			const rotated = core.tokens.rotate(refreshToken.trim(), core.tokenLifetimes());
			if (!rotated) return unauthorized('The refresh token is invalid, expired or already used; log in again.');
			const partner = core.partner(rotated.partnerKey);
			// the reference documents { accessToken, refreshToken }; the vendor's Postman tests also read
			// partnerKey and name from this answer, so both are included
			return json(200, {
				partnerKey: rotated.partnerKey,
				name: partner?.name ?? rotated.partnerKey,
				accessToken: rotated.accessToken,
				refreshToken: rotated.refreshToken,
			});
		}),
	];
}

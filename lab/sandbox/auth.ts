/**
 * Partner login, single-use refresh tokens and Bearer checks. Tokens are opaque random strings
 * held in memory with their own expiry, so lifetimes can be shortened at run time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SandboxPartner } from './options';

interface TokenEntry {
	partnerKey: string;
	expiresAt: number;
}

export interface TokenLifetimes {
	accessTokenTtlMs: number;
	refreshTokenTtlMs: number;
}

export interface IssuedTokens {
	accessToken: string;
	refreshToken: string;
}

/** chaos.shortTokenLifetimes: short enough that a demo or test sees refreshes happen. */
export const SHORT_TOKEN_LIFETIMES: TokenLifetimes = { accessTokenTtlMs: 5_000, refreshTokenTtlMs: 30_000 };

const MAX_ISSUED_HISTORY = 100_000;

export class TokenStore {
	private access = new Map<string, TokenEntry>();
	private refresh = new Map<string, TokenEntry>();
	/** every token ever issued, oldest first (kept across clear/expire; bounded) */
	private issued: string[] = [];

	constructor(private readonly now: () => number = Date.now) {}

	/** The partner whose key and secret (or previous secret, in its grace window) match, else null. */
	static findPartner(partners: SandboxPartner[], key: string, secret: string): SandboxPartner | null {
		const partner = partners.find((p) => p.partnerKey === key);
		if (!partner) return null;
		const secrets = [partner.partnerSecret, partner.previousPartnerSecret].filter((s): s is string => !!s);
		return secrets.some((s) => sameText(s, secret)) ? partner : null;
	}

	issue(partnerKey: string, ttl: TokenLifetimes): IssuedTokens {
		const now = this.now();
		const accessToken = `sbx-at-${randomBytes(24).toString('hex')}`;
		const refreshToken = `sbx-rt-${randomBytes(24).toString('hex')}`;
		this.access.set(accessToken, { partnerKey, expiresAt: now + ttl.accessTokenTtlMs });
		this.refresh.set(refreshToken, { partnerKey, expiresAt: now + ttl.refreshTokenTtlMs });
		this.issued.push(accessToken, refreshToken);
		if (this.issued.length > MAX_ISSUED_HISTORY) this.issued.splice(0, this.issued.length - MAX_ISSUED_HISTORY);
		this.prune(now);
		return { accessToken, refreshToken };
	}

	/** Exchanges a refresh token for a new pair; the old refresh token stops working at once. */
	rotate(refreshToken: string, ttl: TokenLifetimes): (IssuedTokens & { partnerKey: string }) | null {
		const entry = this.refresh.get(refreshToken);
		if (!entry) return null;
		this.refresh.delete(refreshToken);
		if (entry.expiresAt <= this.now()) return null;
		return { partnerKey: entry.partnerKey, ...this.issue(entry.partnerKey, ttl) };
	}

	/** Whose refresh token this is, without using it up (so a 429 does not cost the client its token). */
	refreshOwner(refreshToken: string): string | null {
		return this.refresh.get(refreshToken)?.partnerKey ?? null;
	}

	/** partnerKey of a live access token, or null. */
	authenticate(accessToken: string): string | null {
		const entry = this.access.get(accessToken);
		if (!entry) return null;
		if (entry.expiresAt <= this.now()) {
			this.access.delete(accessToken);
			return null;
		}
		return entry.partnerKey;
	}

	/** Control API: make existing tokens expire now, as if the clock had run past them. */
	expire(which: { access: boolean; refresh: boolean }): { access: number; refresh: number } {
		const counts = { access: which.access ? this.access.size : 0, refresh: which.refresh ? this.refresh.size : 0 };
		if (which.access) this.access.clear();
		if (which.refresh) this.refresh.clear();
		return counts;
	}

	issuedSoFar(): string[] {
		return [...this.issued];
	}

	clear(): void {
		this.access.clear();
		this.refresh.clear();
	}

	private prune(now: number): void {
		for (const map of [this.access, this.refresh]) {
			for (const [token, entry] of map) if (entry.expiresAt <= now) map.delete(token);
		}
	}
}

function sameText(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
	const value = Array.isArray(header) ? header[0] : header;
	const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
	return match ? match[1] : null;
}

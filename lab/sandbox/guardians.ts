/** The simulated Guardians the dispatcher hands jobs to. Names and 555-01xx numbers are fictional. */
import { createHmac } from 'node:crypto';
import type { AssignedGuardian, GuardianProfile } from '../../nodes/shared/contract';

interface RosterEntry {
	guardianId: number;
	firstName: string;
	lastName: string;
	bio: string;
	/** masked (Sinch-style) number handed to partners */
	phone: string;
}

const ROSTER: readonly RosterEntry[] = [
	{ guardianId: 501, firstName: 'Avery', lastName: 'Stone', phone: '+15550100101', bio: 'Former event-security lead; open houses and gallery nights.' },
	{ guardianId: 502, firstName: 'Jordan', lastName: 'Reyes', phone: '+15550100102', bio: 'Licensed guard, ten years of overnight site watch.' },
	{ guardianId: 503, firstName: 'Morgan', lastName: 'Blake', phone: '+15550100103', bio: 'Crowd management for concerts and community events.' },
	{ guardianId: 504, firstName: 'Riley', lastName: 'Chen', phone: '+15550100104', bio: 'Retail loss prevention and residential patrols.' },
	{ guardianId: 505, firstName: 'Casey', lastName: 'Okafor', phone: '+15550100105', bio: 'First-aid certified; corporate and open-house details.' },
];

/** Avatar links are signed with this and expire quickly, like the vendor's storage URLs. */
const AVATAR_URL_KEY = 'sandbox-avatar-url-key';
export const AVATAR_URL_TTL_MS = 5 * 60 * 1000;

/** Round-robin pick that avoids the Guardians who already withdrew from this job. */
export function pickGuardian(seq: number, exclude: readonly number[]): RosterEntry {
	for (let i = 0; i < ROSTER.length; i++) {
		const candidate = ROSTER[(seq + i) % ROSTER.length];
		if (!exclude.includes(candidate.guardianId)) return candidate;
	}
	return ROSTER[seq % ROSTER.length];
}

export function findGuardian(guardianId: number): RosterEntry | undefined {
	return ROSTER.find((g) => g.guardianId === guardianId);
}

export function assignedView(g: RosterEntry, origin: string): AssignedGuardian {
	return {
		guardianId: g.guardianId,
		firstName: g.firstName,
		lastName: g.lastName,
		avatarThumbnailUrl: `${origin}/_assets/guardians/${g.guardianId}/thumbnail.svg`,
		phone: g.phone,
	};
}

export function profileView(g: RosterEntry, origin: string, now: number): GuardianProfile {
	const expires = Math.floor((now + AVATAR_URL_TTL_MS) / 1000);
	return {
		guardianId: g.guardianId,
		firstName: g.firstName,
		lastName: g.lastName,
		bio: g.bio,
		avatarUrl: `${origin}/_assets/guardians/${g.guardianId}/avatar.svg?expires=${expires}&signature=${avatarSignature(g.guardianId, expires)}`,
	};
}

export function avatarSignature(guardianId: number, expires: number): string {
	return createHmac('sha256', AVATAR_URL_KEY).update(`${guardianId}:${expires}`).digest('hex');
}

/** A tiny initials badge, so avatar links resolve in demos. */
export function avatarSvg(g: RosterEntry): string {
	const initials = `${g.firstName[0]}${g.lastName[0]}`;
	return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" rx="48" fill="#1f4e79"/><text x="48" y="60" font-size="36" text-anchor="middle" fill="#fff" font-family="sans-serif">${initials}</text></svg>`;
}

/**
 * Date-times as users and expressions give them, turned into the UTC ISO-8601 instants the API
 * wants. Pure; the only time-zone knowledge is Intl's.
 */

/** Date, optional time, optional zone: what ISO-8601 (and n8n's date picker) produce. */
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** What {@link toUtcIso} returns and the API receives. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Turns what a user or an expression gives for a date-time into the UTC ISO string the API
 * wants. A value without a zone (n8n's date picker gives `2030-05-01T14:00:00`) is read as wall
 * time in `timeZone` — the workflow's time zone — which is what the user saw when picking it.
 * Returns undefined when the value is not a date-time at all (validation then names the field).
 */
export function toUtcIso(value: unknown, timeZone = 'UTC'): string | undefined {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
	if (value !== null && typeof value === 'object' && typeof (value as { toISO?: unknown }).toISO === 'function') {
		return toUtcIso((value as { toISO: () => unknown }).toISO(), timeZone);
	}
	if (typeof value !== 'string') return undefined;
	const match = ISO_LIKE.exec(value.trim());
	if (!match) return undefined;
	const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '0', zone] = match;
	const ms = Math.round(Number(`0.${frac}`) * 1000);
	const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, ms);
	const check = new Date(wall);
	if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) {
		return undefined;
	}
	if (zone !== undefined) {
		if (zone.toUpperCase() === 'Z') return new Date(wall).toISOString();
		const sign = zone.startsWith('-') ? -1 : 1;
		const digits = zone.slice(1).replace(':', '');
		const offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
		return new Date(wall - offsetMin * 60_000).toISOString();
	}
	return new Date(wall - zoneOffsetMs(wall, timeZone)).toISOString();
}

/** Offset of `timeZone` from UTC at (approximately) the wall time `wallMs`, via Intl. */
function zoneOffsetMs(wallMs: number, timeZone: string): number {
	let formatter: Intl.DateTimeFormat;
	try {
		formatter = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
		});
	} catch {
		return 0; // unknown zone name: read as UTC rather than fail the item
	}
	const offsetAt = (instant: number) => {
		const parts = Object.fromEntries(formatter.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
		const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
		return asUtc - Math.floor(instant / 1000) * 1000;
	};
	// Two passes settle the offset on either side of a daylight-saving change.
	const first = offsetAt(wallMs);
	return offsetAt(wallMs - first);
}

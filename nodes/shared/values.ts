/**
 * Reading and quoting values, for both nodes: the validation's field errors, the transport's
 * check of 2xx answers and the job reads all take ids and quote rejected values the same way.
 */

/** Longest rendering of a rejected value in a message; the rest is summarised. */
export const SHOWN_VALUE_MAX = 60;

/**
 * A rejected value as the message quotes it: readable for NaN/Infinity (JSON would say null),
 * and cut short so that a pasted document or a runaway expression does not flood the error.
 */
export function shown(value: unknown): string {
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	if (value === undefined) return 'nothing';
	let text: string;
	try {
		text = JSON.stringify(value) ?? String(value);
	} catch {
		text = Object.prototype.toString.call(value);
	}
	if (text.length <= SHOWN_VALUE_MAX) return text;
	const size = typeof value === 'string' ? `${value.length} characters` : `${text.length} characters as JSON`;
	return `${text.slice(0, SHOWN_VALUE_MAX)}… (${size})`;
}

/**
 * A positive whole number, as the API's numeric ids are. Text must be plain digits: `Number()`
 * alone would turn "0x10" into job 16 and "1e3" into job 1000 — someone else's job, not an error.
 */
export function parseId(value: unknown): number | undefined {
	const n = typeof value === 'string' ? (/^\s*\d+\s*$/.test(value) ? Number(value) : NaN) : value;
	return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Path patterns for the control API's fail-next rules: a glob, not a regular expression. A
 * regular expression from a request could take exponential time to match (ReDoS) and would run
 * on every API request while the rule is pending; a glob is matched in at most
 * pattern × path steps, and its length is capped.
 *
 * `*` matches any run of characters (slashes included), `?` any one character, everything else
 * itself. The whole path must match: `/api/v1/jobs` is that path only, and a star followed by
 * `/status` matches every status read.
 */
export const MAX_PATH_PATTERN = 200;

/** Why `pattern` is not a usable path pattern, or null when it is. */
export function pathPatternProblem(pattern: unknown): string | null {
	if (typeof pattern !== 'string' || pattern.length === 0) return 'must be a path pattern (a non-empty string; * and ? are wildcards)';
	if (pattern.length > MAX_PATH_PATTERN) return `must be at most ${MAX_PATH_PATTERN} characters`;
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f]/.test(pattern)) return 'must not contain control characters';
	return null;
}

/** Whether `text` matches `pattern` as a whole (iterative, with one backtrack point: no blow-up). */
export function globMatches(pattern: string, text: string): boolean {
	let p = 0;
	let t = 0;
	let star = -1;
	let resume = 0;
	while (t < text.length) {
		if (p < pattern.length && (pattern[p] === '?' || (pattern[p] !== '*' && pattern[p] === text[t]))) {
			p++;
			t++;
		} else if (p < pattern.length && pattern[p] === '*') {
			star = p++;
			resume = t;
		} else if (star !== -1) {
			p = star + 1;
			t = ++resume;
		} else {
			return false;
		}
	}
	while (p < pattern.length && pattern[p] === '*') p++;
	return p === pattern.length;
}

/**
 * Evaluates a node's `={{ … }}` subtitle as plain JavaScript with the given parameter values, as
 * n8n's editor does when it draws the canvas (its expression syntax is JavaScript's).
 */
export function renderSubtitle(expression: string | undefined, parameters: Record<string, unknown>): string {
	const match = /^=\{\{([\s\S]*)\}\}$/.exec(expression ?? '');
	if (!match) throw new Error(`not a {{ }} expression: ${expression}`);
	return new Function('$parameter', `return (${match[1]});`)(parameters) as string;
}

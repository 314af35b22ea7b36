/**
 * What R5 searches after the other figures ran: every node error the in-process runs produced,
 * and every sandbox whose secrets and issued tokens must not appear anywhere.
 */
import type { Sandbox } from '../../lab/sandbox';

export const evidence = {
	/** JSON of errors and error items from in-process executions (R3, R4, R6) */
	nodeErrors: [] as string[],
	/** sandboxes used by any figure; closed only at the very end, after R5 asked them for tokens */
	sandboxes: [] as Sandbox[],
	/** extra secret strings in use (e.g. R1's callback secrets) */
	secrets: [] as string[],
};

export function keepErrors(result: { error?: unknown; errorItems?: Array<{ json: unknown }>; items?: Array<{ json: unknown }> }): void {
	if (result.error) evidence.nodeErrors.push(serialise(result.error));
	for (const item of [...(result.errorItems ?? []), ...(result.items ?? [])]) {
		if (item.json && typeof item.json === 'object' && 'error' in item.json) evidence.nodeErrors.push(serialise(item.json));
	}
}

function serialise(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, v: unknown) => {
		if (typeof v === 'bigint') return String(v);
		if (!v || typeof v !== 'object') return v;
		if (seen.has(v)) return '[circular]';
		seen.add(v);
		if (!(v instanceof Error)) return v;
		// own properties (message, description, context, cause, options…) are not enumerable on errors
		const copy: Record<string, unknown> = { name: v.name, message: v.message, stack: v.stack };
		for (const key of Object.getOwnPropertyNames(v)) copy[key] = (v as unknown as Record<string, unknown>)[key];
		if ('cause' in v) copy.cause = v.cause;
		return copy;
	});
}

export const serialiseError = serialise;

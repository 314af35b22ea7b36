// Types for scripts/n8n-runtime.js (plain JS so it runs without a TypeScript step).
export interface N8nRuntime {
	/** Folder of the cached install ($G2S_CACHE/n8n-<version>). */
	dir: string;
	/** n8n's CLI entry point inside it (run it with Node 24). */
	bin: string;
	version: string;
}
export function ensureN8n(options?: { log?: (message: string) => void }): Promise<N8nRuntime>;
export function runtimeDir(version?: string): string;
export function n8nBin(dir?: string): string;
export function cacheRoot(): string;
export const N8N_VERSION: string;

// Types for lab/n8n-runtime.js (plain JS so it runs without a TypeScript step).
export interface NodeRuntime {
	version: string;
	/** Folder of the cached Node ($G2S_CACHE/node-<version>). */
	dir: string;
	/** Its `node` binary. */
	bin: string;
}
export interface N8nRuntime {
	/** Folder of the cached install ($G2S_CACHE/n8n-<version>). */
	dir: string;
	/** n8n's CLI entry point inside it (run it with `node.bin`). */
	bin: string;
	version: string;
	/** The Node this n8n version runs on. */
	node: NodeRuntime;
}
export function ensureN8n(options?: { version?: string; log?: (message: string) => void }): Promise<N8nRuntime>;
export function ensureNode(version: string, log?: (message: string) => void): Promise<NodeRuntime>;
export function runtimeDir(version?: string): string;
export function n8nBin(dir?: string): string;
export function nodeVersionFor(n8nVersion: string): string;
export function versionAtLeast(version: string, min: string): boolean;
export function testedN8nVersions(env?: NodeJS.ProcessEnv): string[];
export function cacheRoot(): string;
/** G2S_N8N_VERSION, else DEFAULT_N8N_VERSION. */
export const N8N_VERSION: string;
export const DEFAULT_N8N_VERSION: string;
export const CI_N8N_VERSIONS: string[];

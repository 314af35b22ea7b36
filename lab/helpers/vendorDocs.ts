/**
 * Where the vendor's documents (partner-api.postman_collection.json and friends) live: they are not
 * ours to commit, so they sit in a `shared/` folder beside the repository. Looked for, in order: the
 * folder named by G2S_VENDOR_DOCS, `<repo>/../shared` (a CI clone next to its shared folder),
 * `<repo>/../../shared` (a git worktree one level deeper) and /work/shared (the team's machine).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '../..');

export function vendorDocCandidates(repoRoot = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): string[] {
	return [env.G2S_VENDOR_DOCS, join(repoRoot, '../shared'), join(repoRoot, '../../shared'), '/work/shared'].filter(
		(dir): dir is string => !!dir,
	);
}

/** Full path of a vendor document, or undefined when no candidate folder has it. */
export function findVendorDoc(file: string, repoRoot = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): string | undefined {
	return vendorDocCandidates(repoRoot, env)
		.map((dir) => join(dir, file))
		.find((path) => existsSync(path));
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findVendorDoc, REPO_ROOT, vendorDocCandidates } from '../../../lab/helpers/vendorDocs';

describe('finding the vendor documents beside the repository', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'g2s-vendor-docs-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	const place = (folder: string) => {
		mkdirSync(folder, { recursive: true });
		writeFileSync(join(folder, 'collection.json'), '{}');
	};

	it('finds <clone>/../shared, the layout of a fresh CI clone', () => {
		place(join(dir, 'shared'));
		mkdirSync(join(dir, 'clone'));
		expect(findVendorDoc('collection.json', join(dir, 'clone'), {})).toBe(join(dir, 'shared', 'collection.json'));
	});

	it('finds <worktree>/../../shared, and prefers G2S_VENDOR_DOCS over both', () => {
		place(join(dir, 'shared'));
		mkdirSync(join(dir, 'wt', 'me'), { recursive: true });
		expect(findVendorDoc('collection.json', join(dir, 'wt', 'me'), {})).toBe(join(dir, 'shared', 'collection.json'));
		place(join(dir, 'elsewhere'));
		expect(findVendorDoc('collection.json', join(dir, 'wt', 'me'), { G2S_VENDOR_DOCS: join(dir, 'elsewhere') })).toBe(
			join(dir, 'elsewhere', 'collection.json'),
		);
	});

	it('answers undefined when no folder has the file, and the repository root is the real one', () => {
		expect(findVendorDoc('no-such-vendor-file.json', join(dir, 'clone'), {})).toBeUndefined();
		expect(vendorDocCandidates(REPO_ROOT, {})[0]).toBe(join(REPO_ROOT, '../shared'));
		expect(require(join(REPO_ROOT, 'package.json')).name).toBe('n8n-nodes-g2sentry');
	});
});

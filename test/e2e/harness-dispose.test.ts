/**
 * The harness cleans up after an interrupted start (the demo's Ctrl-C before n8n is ready):
 * every instance not yet disposed is stopped and its throwaway folder deleted, and a start still
 * under way cannot bring n8n back afterwards.
 */
import fs from 'node:fs';

import { disposeAllN8n, N8nInstance } from '../../lab/helpers/harness';
import { N8N_VERSION, SETUP_TIMEOUT_MS } from '../../lab/helpers/e2e';

describe(`disposeAllN8n (n8n ${N8N_VERSION})`, () => {
	it('deletes the folders of instances still starting and refuses to run n8n in them afterwards', async () => {
		const prepared = await new N8nInstance({ version: N8N_VERSION }).prepare();
		const fresh = new N8nInstance({ version: N8N_VERSION });
		const kept = fs.mkdtempSync(`${prepared.userFolder}-given-`);
		const given = new N8nInstance({ userFolder: kept });
		expect([prepared.userFolder, fresh.userFolder].every((dir) => fs.existsSync(dir))).toBe(true);

		await disposeAllN8n();

		expect(fs.existsSync(prepared.userFolder)).toBe(false);
		expect(fs.existsSync(fresh.userFolder)).toBe(false);
		// a folder the caller gave is the caller's to delete
		expect(fs.existsSync(given.userFolder)).toBe(true);
		fs.rmSync(kept, { recursive: true, force: true });
		await expect(prepared.cli('--version')).rejects.toThrow(/disposed/);
		expect(fs.existsSync(prepared.userFolder)).toBe(false);
	}, SETUP_TIMEOUT_MS);
});

/**
 * R5 secrets, after every other figure: the shared n8n's action workflow first does what leaks
 * secrets when it goes wrong (log in, refresh, a refused refresh, a 404, a validation error);
 * then every partner secret, callback secret and token any sandbox issued is searched for in
 * n8n's execution data (decoded), the node errors of the in-process runs, the raw bytes of
 * n8n's sqlite files, and n8n's log.
 */
import fs from 'node:fs';

import { readExecutions } from '../../lab/helpers/harness';
import { http } from '../../lab/helpers/sandboxClient';
import { evidence } from './evidence';
import { report, timer } from './figures';
import { control } from './r3-api-faults';
import { sharedN8n, WORKFLOWS } from './shared-n8n';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOKEN = /sbx-(?:at|rt)-([0-9a-f]{48})/g;
const BARE_HEX = /(?<![0-9a-f])[0-9a-f]{48}(?![0-9a-f])/g;

/** How often any of `secrets` or `tokens` (whole, or their random part alone) occurs in `text`. */
function occurrences(text: string, secrets: string[], tokenHex: Set<string>): { secrets: number; tokens: number } {
	let s = 0;
	for (const secret of secrets) for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) s++;
	let t = 0;
	for (const m of text.matchAll(TOKEN)) if (tokenHex.has(m[1])) t++;
	for (const m of text.matchAll(BARE_HEX)) if (tokenHex.has(m[0])) t++;
	return { secrets: s, tokens: t };
}

export function defineR5(): void {
	describe('R5 secrets', () => {
		it('after all of the above: no secret and no issued token in execution data, node errors, n8n database or logs', async () => {
			const env = await sharedN8n();
			const { sandbox } = env;
			const elapsed = timer();
			// n8n uses the credential: log in, refresh after expiry, a refused refresh, errors
			sandbox.configure({ accessTokenTtlMs: 1_000 });
			const login = await http(`${sandbox.baseUrl}/access/login`, { method: 'POST', body: sandbox.partner });
			const job = await http(`${sandbox.baseUrl}/jobs`, {
				method: 'POST',
				headers: { authorization: `Bearer ${login.body.accessToken}` },
				body: { name: 'R5 job', whenDate: new Date(Date.now() + 48 * 3_600_000).toISOString(), duration: 60, location: { gps: { latitude: 42.6, longitude: -73.7 } } },
			});
			// by time, not by position: the sandbox keeps its last 10,000 requests, which a full-size
			// run has filled, so the list no longer grows and a position would select nothing
			const since = new Date().toISOString();
			const calls: Array<number | string> = [job.body.jobId, job.body.jobId, 'revoke', job.body.jobId, 999_999, 'abc', job.body.jobId];
			const answers: number[] = [];
			for (const call of calls) {
				if (call === 'revoke') {
					await control(sandbox, 'POST', '/expire-tokens', { which: 'refresh' });
					continue;
				}
				answers.push((await http(env.urls.action, { method: 'POST', body: { jobId: call } })).status);
				await sleep(1_300); // past the 1 s token lifetime
			}
			sandbox.configure({ accessTokenTtlMs: 15 * 60_000 });
			const byN8n = ((await control(sandbox, 'GET', '/requests')) as Array<{ path: string; status: number | null; time: string }>).filter((r) => r.time >= since);
			const n8nAuth = {
				logins: byN8n.filter((r) => r.path.endsWith('/access/login') && r.status === 200).length,
				refreshes: byN8n.filter((r) => r.path.endsWith('/access/refresh') && r.status === 200).length,
				refused: byN8n.filter((r) => r.path.endsWith('/access/refresh') && r.status === 401).length,
			};
			await sleep(2_000);

			const secrets = [
				...new Set(
					[...evidence.sandboxes.flatMap((s) => [s.partner.partnerSecret, s.otherPartner.partnerSecret, s.callbackSecret]), ...evidence.secrets].filter((s) => s.length >= 8),
				),
			];
			const tokens = new Set<string>();
			for (const s of evidence.sandboxes) for (const token of ((await control(s, 'GET', '/tokens')) as { issued: string[] }).issued) tokens.add(token);
			const tokenHex = new Set([...tokens].map((t) => t.replace(/^sbx-(?:at|rt)-/, '')));

			const executions = readExecutions(env.n8n.databaseFile, env.n8n.runtimeDir);
			const actionRuns = executions.filter((e) => e.workflowId === WORKFLOWS.action.id);
			const dbFiles = ['', '-wal', '-shm', '-journal'].map((suffix) => env.n8n.databaseFile + suffix).filter((f) => fs.existsSync(f));
			const haystacks: Record<string, string> = {
				'execution data (decoded)': JSON.stringify(executions),
				'node errors (in-process runs)': evidence.nodeErrors.join('\n'),
				'n8n database (raw bytes)': dbFiles.map((f) => fs.readFileSync(f).toString('latin1')).join('\n'),
				'n8n log': fs.readFileSync(env.n8n.logFile, 'utf8'),
			};
			const found: Record<string, { secrets: number; tokens: number }> = {};
			for (const [name, text] of Object.entries(haystacks)) found[name] = occurrences(text, secrets, tokenHex);
			// the search can find things: a workflow name is in the database, the errors were kept
			const canFind = haystacks['n8n database (raw bytes)'].includes(WORKFLOWS.chaos.name) && evidence.nodeErrors.length > 0;
			const actionErrors = actionRuns.filter((e) => e.status !== 'success').length;
			const leaks = Object.values(found).reduce((sum, f) => sum + f.secrets + f.tokens, 0);
			const pass = leaks === 0 && canFind && tokens.size > 0 && n8nAuth.logins >= 1 && n8nAuth.refreshes >= 1 && n8nAuth.refused >= 1 && actionErrors >= 2;
			const sizes = Object.entries(haystacks).map(([name, text]) => `${name} ${(text.length / 1024 / 1024).toFixed(1)} MB`);
			report({
				id: 'R5',
				title: 'secrets',
				target: 'partner secrets, callback secrets and every issued token: 0 occurrences in execution data, node errors, n8n database, logs',
				result:
					`${secrets.length} secrets and ${tokens.size} issued tokens searched in ${sizes.join(', ')} (${executions.length} executions, ${evidence.nodeErrors.length} in-process errors; ` +
					`n8n itself: ${n8nAuth.logins} logins, ${n8nAuth.refreshes} refreshes, ${n8nAuth.refused} refused refresh, ${actionErrors} failed runs, answers ${answers.join('/')}): ` +
					Object.entries(found).map(([name, f]) => `${name} ${f.secrets + f.tokens}`).join(', '),
				pass,
				size: `${secrets.length + tokens.size} strings`,
				durationMs: elapsed(),
			});
			expect(found).toEqual(Object.fromEntries(Object.keys(haystacks).map((name) => [name, { secrets: 0, tokens: 0 }])));
			expect(pass).toBe(true);
		});
	});
}

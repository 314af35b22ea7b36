/**
 * Every figure README.md and docs/ promise a user (caps, sizes, status codes, versions, retry
 * schedules, deadlines, memory bounds, benchmark figures) read from the text and compared with
 * the code's own constants, so that a change to either fails here until the other follows.
 * The signed-sample command and bodies of the README are run against the trigger in
 * test/integration/trigger/readme-samples.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { G2SentryApi } from '../../credentials/G2SentryApi.credentials';
import { G2SentryTrigger } from '../../nodes/G2SentryTrigger/G2SentryTrigger.node';
import { createStore, saveStore } from '../../nodes/G2SentryTrigger/eventStore';
import { DEFAULT_LIMITS, MIN_RETENTION_MS, pruneStore, recordEvent } from '../../nodes/G2SentryTrigger/events';
import { MAX_REPLAYS, REPLAY_WINDOW_MS } from '../../nodes/G2SentryTrigger/replay';
import { JOB_LOOKUP_DEADLINE_MS } from '../../nodes/G2SentryTrigger/jobRecord';
import { MAX_CALLBACK_BYTES } from '../../nodes/G2SentryTrigger/payload';
import { CALLBACK_SECRETS_CACHE_MS } from '../../nodes/G2SentryTrigger/secretsCache';
import { CATCH_UP_SHARE, DEFAULT_CATCH_UP_INTERVAL_MINUTES } from '../../nodes/G2SentryTrigger/catchUp';
import { triggerProperties } from '../../nodes/G2SentryTrigger/description';
import { ANSWER_MAX_BYTES, LOGIN_DEADLINE_MS, REQUEST_DEADLINE_MS } from '../../nodes/shared/transport/limits';
import {
	CALLBACK_RETRY_DELAYS_MS,
	CUT_OFF_MS,
	NAME_MAX_LENGTH,
	RATE_LIMIT,
	REVIEW_RATE_MAX,
	REVIEW_RATE_MIN,
} from '../../nodes/shared/contract';
import { RETRY_POLICY } from '../../nodes/shared/transport/retryPolicy';
import { CI_N8N_VERSIONS } from '../../lab/n8n-runtime';

const ROOT = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const README = read('README.md');
const docs = (name: string) => read(`docs/${name}.md`);
/** Text with line breaks and runs of spaces folded, so a phrase may wrap. */
const flat = (text: string) => text.replace(/\s+/g, ' ');
/** The first match of `pattern` in `text`, failing with the pattern when the phrase is gone. */
function find(text: string, pattern: RegExp): RegExpMatchArray {
	const match = flat(text).match(pattern);
	if (!match) throw new Error(`the text no longer says ${pattern}`);
	return match;
}
const seconds = (list: readonly number[]) => list.map((ms) => ms / 1000);
const HOUR_MS = 3_600_000;

describe('README is for n8n users', () => {
	it('is at most 15 KB', () => {
		expect(Buffer.byteLength(README)).toBeLessThanOrEqual(15 * 1024);
	});

	it('lists every section in its contents, and every link there lands on a heading', () => {
		const slug = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
		const headings = [...README.matchAll(/^## (.+)$/gm)].map((m) => slug(m[1].trim())).filter((s) => s !== 'contents');
		const contents = README.split('## Contents')[1].split('\n## ')[0];
		const linked = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
		expect(linked).toEqual(headings);
	});

	it('never tells anyone to put the Test URL into the live partner profile', () => {
		expect(flat(README)).toMatch(/Never put the Test URL in the live partner profile/);
		for (const text of [README, docs('trigger-reference'), docs('development')]) {
			expect(flat(text)).not.toMatch(/Point the portal at the Test URL|set it as the callback URL in the partner portal for the time being/i);
		}
	});

	it('says the nodes panel shows one entry', () => {
		expect(flat(README)).toMatch(/One entry, \*\*G2 Sentry\*\*, appears in the nodes panel/);
		expect(flat(docs('install'))).not.toMatch(/Two nodes appear/);
	});
});

describe("README's troubleshooting table quotes messages the code really produces", () => {
	const sources = (dir: string): string =>
		readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
			.filter((file) => file.endsWith('.ts'))
			.map((file) => read(join(dir, file)))
			.join('\n');
	const code = flat(sources('nodes') + sources('credentials'));
	const table = flat(README.split('## Troubleshooting')[1].split('\n## ')[0]);
	// the fixed part of each quoted message (the rest is filled in at run time)
	it.each([
		'G2 Sentry did not accept the partner key and secret.',
		'answered, but not like the G2 Sentry Partner API.',
		'Nothing is answering at ',
		'Could not find the server ',
		'cut-off before the scheduled start has passed',
		'was not found, or it belongs to another partner account',
		'G2 Sentry is rate-limiting this partner key',
		'G2 Sentry had a problem on its side (HTTP',
		'The job may or may not have been created',
		'The G2 Sentry credential has no callback secret',
		'G2 Sentry answered something unexpected to ',
		' did not answer within ',
		'The Base URL must use https://',
		'previous-secret-ended',
	])('%s', (fixedPart) => {
		expect(code).toContain(fixedPart);
		expect(table).toContain(fixedPart.trim());
	});

	it('quotes the trigger answers as the node sends them', () => {
		expect(code).toContain("reply(res, 401, { status: 'rejected', reason: check.reason })");
		expect(code).toContain("reply(res, 400, { status: 'rejected', message: parsed.message })");
		expect(table).toContain('401 `{"status":"rejected","reason":"mismatch"}`');
		expect(table).toContain('400 `{"status":"rejected","message":"…"}`');
		expect(code).toContain("'mismatch'");
		expect(code).toMatch(/Cannot \$\{action\} \(item \$\{itemIndex\}\): /);
		expect(table).toContain('`Cannot create the job (item 0): …`');
		expect(code).toContain("'create the job'");
	});
});

describe('figures README and docs state = the code', () => {
	it('deadlines and the answer cap', () => {
		const stated = find(README, /each attempt gets (\d+) seconds in all .*? a sign-in (\d+) seconds\. .*? at most (\d+) KiB/);
		expect(Number(stated[1]) * 1000).toBe(REQUEST_DEADLINE_MS);
		expect(Number(stated[2]) * 1000).toBe(LOGIN_DEADLINE_MS);
		expect(Number(stated[3]) * 1024).toBe(ANSWER_MAX_BYTES);
		expect(find(README, /did not answer within (\d+) s`/)[1]).toBe(String(REQUEST_DEADLINE_MS / 1000));
	});

	it('a removed callback secret: how long it still passes (README, the trigger reference)', () => {
		expect(Number(find(README, /A removed secret passes for up to (\d+) s more/)[1]) * 1000).toBe(CALLBACK_SECRETS_CACHE_MS);
		const reference = docs('trigger-reference');
		expect(Number(find(reference, /callback secrets it read for (\d+) seconds/)[1]) * 1000).toBe(CALLBACK_SECRETS_CACHE_MS);
		expect(Number(find(reference, /let callbacks in for up to (\d+) seconds/)[1]) * 1000).toBe(CALLBACK_SECRETS_CACHE_MS);
	});

	it('replay after a restart: window and default, in README and the trigger reference', () => {
		const stated = find(README, /\*Re-Run Recent Events After a Restart\*, on by default\).*? received in the (\d+) s before it stopped/);
		expect(Number(stated[1]) * 1000).toBe(REPLAY_WINDOW_MS);
		const reference = find(docs('trigger-reference'), /received in the (\d+) seconds before n8n stopped \(again if n8n stops once more within \d+ seconds, at most (\d+) times in all\)/);
		expect(Number(reference[1]) * 1000).toBe(REPLAY_WINDOW_MS);
		expect(Number(reference[2])).toBe(MAX_REPLAYS);
		const options = triggerProperties.find((p) => p.name === 'options')!.options as Array<{ name: string; default: unknown }>;
		expect(options.find((o) => o.name === 'replayAfterRestart')!.default).toBe(true);
	});

	it('catch-up: default interval and share of the rate limit', () => {
		const stated = find(README, /every \*Catch-Up Interval\* \((\d+) minutes\).*? at most a quarter of the credential's requests per minute/);
		expect(Number(stated[1])).toBe(DEFAULT_CATCH_UP_INTERVAL_MINUTES);
		expect(CATCH_UP_SHARE).toBe(0.25);
		const options = triggerProperties.find((p) => p.name === 'options')!.options as Array<{ name: string; default: unknown }>;
		expect(options.find((o) => o.name === 'catchUpIntervalMinutes')!.default).toBe(DEFAULT_CATCH_UP_INTERVAL_MINUTES);
		expect(options.find((o) => o.name === 'catchUp')!.default).toBe(true);
	});

	it('rate limit: 60 requests per minute per partner key, the credential default too', () => {
		const requestsPerMinute = new G2SentryApi().properties.find((p) => p.name === 'requestsPerMinute')!;
		expect(requestsPerMinute.default).toBe(RATE_LIMIT.requests);
		expect(RATE_LIMIT.windowMs).toBe(60_000);
		expect(Number(find(README, /\*\*G2 Sentry's rules:\*\* (\d+) requests per minute per partner key/)[1])).toBe(RATE_LIMIT.requests);
		expect(Number(find(README, /Requests per Minute \| (\d+) by default/)[1])).toBe(RATE_LIMIT.requests);
	});

	it('429: the number of waits, the longest wait and the schedule without Retry-After', () => {
		const { maxRetries, maxWaitMs, backoffMs } = RETRY_POLICY.rateLimit;
		const readme = find(README, /at most (\d+) times and at most (\d+) minutes each \(without it: ([\d, ]+) s, then (\d+) s\)/);
		expect(Number(readme[1])).toBe(maxRetries);
		expect(Number(readme[2]) * 60_000).toBe(maxWaitMs);
		expect([...readme[3].split(',').map(Number), Number(readme[4])]).toEqual(seconds(backoffMs));
		const reference = find(docs('node-reference'), /at most \*\*(\d+) waits\*\* per request, each what `Retry-After` asks \(seconds or a date\) or, without it, ([\d, ]+) s and then (\d+) s .*? longer than \*\*(\d+) minutes\*\*/);
		expect(Number(reference[1])).toBe(maxRetries);
		expect([...reference[2].split(',').map(Number), Number(reference[3])]).toEqual(seconds(backoffMs));
		expect(Number(reference[4]) * 60_000).toBe(maxWaitMs);
		expect(backoffMs).toHaveLength(maxRetries);
		expect(flat(docs('node-reference'))).not.toMatch(/for as long as `Retry-After` says/);
	});

	it('5xx: retries and their back-off', () => {
		const { maxRetries, backoffMs } = RETRY_POLICY.transient;
		const readme = find(README, /retried (\d+) times \(([\d, ]+) s\)/);
		expect(Number(readme[1])).toBe(maxRetries);
		expect(readme[2].split(',').map(Number)).toEqual(seconds(backoffMs));
		const reference = find(docs('node-reference'), /are retried \(([\d s,]+)\)/);
		expect(reference[1].split(',').map((s) => Number(s.replace('s', '')))).toEqual(seconds(backoffMs));
	});

	it("G2 Sentry's rules: cut-off, name length, rating range", () => {
		expect(Number(find(README, /jobs start at least (\d+) hours ahead/)[1]) * HOUR_MS).toBe(CUT_OFF_MS);
		expect(Number(find(README, /only until (\d+) hours before the start/)[1]) * HOUR_MS).toBe(CUT_OFF_MS);
		expect(Number(find(README, /names up to (\d+) characters/)[1])).toBe(NAME_MAX_LENGTH);
		const rating = find(README, /ratings (\d)–(\d)/);
		expect([Number(rating[1]), Number(rating[2])]).toEqual([REVIEW_RATE_MIN, REVIEW_RATE_MAX]);
	});

	it('callbacks: size cap and its status code', () => {
		const readme = find(README, /bodies over (\d+) KiB are refused \((\d{3})\)/);
		expect(Number(readme[1]) * 1024).toBe(MAX_CALLBACK_BYTES);
		expect(readme[2]).toBe('413');
		expect(Number(find(docs('trigger-reference'), /A body larger than (\d+) KiB is refused with \*\*413\*\*/)[1]) * 1024).toBe(MAX_CALLBACK_BYTES);
	});

	it("invalid JSON gets n8n's 422, a signed bad payload the node's 400, a bad signature 401", () => {
		const reference = flat(docs('trigger-reference'));
		expect(reference).toMatch(/not valid JSON at all never reaches the node: n8n itself answers it with \*\*422\*\*/);
		expect(reference).toMatch(/is refused with \*\*400\*\*/);
		expect(reference).toMatch(/These are refused with \*\*401\*\*/);
		expect(flat(README)).toMatch(/delivery log: 422 \| The body was not valid JSON/);
	});

	it("the trigger's memory: jobs kept, default and minimum retention (README, docs, the panel)", () => {
		const readme = find(README, /remembers the ([\d,]+) most recently active jobs for (\d+) hours after their last callback \(\*Remember Deliveries For\*, at least (\d+) hours\)/);
		expect(Number(readme[1].replace(/,/g, ''))).toBe(DEFAULT_LIMITS.maxJobs);
		expect(Number(readme[2]) * HOUR_MS).toBe(DEFAULT_LIMITS.maxAgeMs);
		expect(Number(readme[3]) * HOUR_MS).toBe(MIN_RETENTION_MS);
		const reference = find(docs('trigger-reference'), /It keeps the ([\d,]+) most recently active jobs/);
		expect(Number(reference[1].replace(/,/g, ''))).toBe(DEFAULT_LIMITS.maxJobs);
		const option = (new G2SentryTrigger().description.properties.find((p) => p.name === 'options')!.options as Array<{ name: string; default?: unknown }>).find((o) => o.name === 'retentionHours')!;
		expect(Number(option.default) * HOUR_MS).toBe(DEFAULT_LIMITS.maxAgeMs);
	});

	it("the memory's size per job and when full (one figure, measured on a full store)", () => {
		const store = createStore();
		let now = Date.UTC(2030, 0, 1);
		for (let i = 1; i <= DEFAULT_LIMITS.maxJobs; i++) {
			const jobId = 100_000 + i;
			const guardianPhone = `+1555${String(i).padStart(7, '0')}`;
			recordEvent(store, { jobId, eventType: 'JobAssigned', jobStatus: 'Assigned', guardianPhone }, now++);
			recordEvent(store, { jobId, eventType: 'JobStarted', jobStatus: 'InProgress', guardianPhone }, now++);
			recordEvent(store, { jobId, eventType: 'JobCompleted', jobStatus: 'Completed', guardianPhone: null }, now++);
		}
		// once the replay window has passed (a prune pass drops the step times, replay.ts)
		pruneStore(store, now + REPLAY_WINDOW_MS + 60_000);
		const bytes = Buffer.byteLength(JSON.stringify(saveStore(store)));
		const stated = find(docs('trigger-reference'), /saved as one string, about (\d+) bytes per job \(about (\d+) KiB when full/);
		// a stated figure within 10 % of the measured one
		expect(Math.abs(Number(stated[1]) - bytes / DEFAULT_LIMITS.maxJobs)).toBeLessThanOrEqual(0.1 * (bytes / DEFAULT_LIMITS.maxJobs));
		expect(Math.abs(Number(stated[2]) - bytes / 1024)).toBeLessThanOrEqual(0.1 * (bytes / 1024));
		for (const text of [README, ...['trigger-reference', 'development', 'testing-and-reliability', 'queue-mode'].map(docs)]) {
			expect(flat(text)).not.toMatch(/about 33 bytes|about 40 bytes|200 KB per/);
		}
	});

	it('the vendor gives up after its retries: 1 h 13 min in total', () => {
		const totalMinutes = CALLBACK_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) / 60_000;
		for (const text of [README, docs('trigger-reference')]) {
			const [, hours, minutes] = find(text, /about (\d+) h (\d+) min/);
			expect(Number(hours) * 60 + Number(minutes)).toBe(Math.round(totalMinutes));
		}
		const schedule = find(docs('trigger-reference'), /It retries any non-2xx answer after 1 s, 5 s, 30 s, 2 min, 10 min and 1 h/);
		expect(schedule).toBeTruthy();
		expect(CALLBACK_RETRY_DELAYS_MS).toEqual([1_000, 5_000, 30_000, 120_000, 600_000, HOUR_MS]);
	});

	it('Include Job Record waits at most 15 seconds', () => {
		expect(Number(find(README, /waits at most (\d+) seconds for the job/)[1]) * 1000).toBe(JOB_LOOKUP_DEADLINE_MS);
		expect(Number(find(docs('trigger-reference'), /takes more than (\d+) seconds/)[1]) * 1000).toBe(JOB_LOOKUP_DEADLINE_MS);
	});

	it('the compatibility table names every n8n version CI proves', () => {
		const table = README.split('## Compatibility')[1].split('\n## ')[0];
		for (const version of CI_N8N_VERSIONS) expect(table).toContain(`(${version})`);
		const minor = (v: string) => v.split('.').slice(0, 2).join('.');
		for (const version of CI_N8N_VERSIONS) expect(table).toMatch(new RegExp(`\\| (${minor(version).replace('.', '\\.')}\\.x|[\\d.]+ – [\\d.]+|[\\d.]+ and later) \\|[^|]*\\(${version.replace(/\./g, '\\.')}\\)`));
	});

	it('Cancel after a lost answer: the output fields the docs name are the ones the code returns', () => {
		const source = read('nodes/G2Sentry/actions/job/cancel.operation.ts');
		const lost = source.split('if (answer === undefined) {')[1].split('}')[0];
		const returned = [...lost.matchAll(/^\s*(\w+)[,:]/gm)].map((m) => m[1]);
		expect(returned.sort()).toEqual(['jobId', 'message', 'status']);
		expect(flat(README)).toMatch(/the item succeeds with `jobId`, `status` and a `message` saying so, and no `code`/);
		expect(flat(docs('node-reference'))).toMatch(/That item has `jobId`, `status` \(`Canceled`\) and a `message` .*\*\*no `code`\*\*/);
	});

	it('the Data Table example: the node version the docs name is the one it uses', () => {
		const example = JSON.parse(read('examples/workflows/sync-job-status-to-data-table.json')) as { nodes: Array<{ type: string; typeVersion: number }> };
		const dataTable = example.nodes.find((n) => n.type === 'n8n-nodes-base.dataTable')!;
		const stated = find(docs('development'), /Data table node version ([\d.]+)/)[1];
		expect(Number(stated)).toBe(dataTable.typeVersion);
	});

	it("benchmark figures quoted in the docs are lab/bench/results/results.json's", () => {
		const results = JSON.parse(read('lab/bench/results/results.json'));
		const text = docs('testing-and-reliability');
		expect(Number(find(text, /(\d+) runtime dependencies, ([\d.]+) kB packed/)[1])).toBe(results.pkg.runtimeDependencies);
		expect(find(text, /runtime dependencies, ([\d.]+) kB packed/)[1]).toBe((results.pkg.packedBytes / 1000).toFixed(1));
		expect(find(text, /([\d.]+) accepted requests\/min/)[1]).toBe(results.queue.perMinute.toFixed(1));
		expect(Number(find(text, /\((\d+) × 429 retried/)[1])).toBe(results.queue.answered429);
		const pkg = JSON.parse(read('package.json'));
		expect(Object.keys(pkg.dependencies ?? {})).toHaveLength(results.pkg.runtimeDependencies);
	});
});

/**
 * The README's safe way to test a trigger, run as written: its copy-paste command (openssl + curl)
 * with each sample body of its table, against the trigger behind a real HTTP server on loopback in
 * test mode (the Test URL), signed with the made-up secret the command names. Each must be
 * accepted and give the item the README shows for pinning. Fails, rather than skips, without
 * curl or openssl: a skipped check of the README would read as a passing one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EVENT_RESULT_STATUS, type CallbackEvent } from '../../../nodes/shared/contract';
import { useTriggerServers } from './fixture';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const section = README.split('## Build and test a trigger workflow safely')[1].split('\n## ')[0];
const command = /```bash\n([\s\S]*?)```/.exec(section)![1];
const secret = /^SECRET='([^']+)'/m.exec(command)![1];
/** The table's bodies, by event. */
const bodies = Object.fromEntries(
	[...section.matchAll(/^\| (Job\w+) \| `(\{.*\})` \|$/gm)].map((m) => [m[1], m[2]]),
) as Record<CallbackEvent, string>;
const pinned = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]) as Array<Record<string, unknown>>;

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

function bash(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
	const child = spawn('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
	child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
	return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })));
}

const start = useTriggerServers();

it('has one sample body per event, each with the status the event leaves the job in', () => {
	expect(Object.keys(bodies).sort()).toEqual(Object.keys(EVENT_RESULT_STATUS).sort());
	for (const [event, body] of Object.entries(bodies)) {
		expect(JSON.parse(body)).toMatchObject({ eventType: event, jobStatus: EVENT_RESULT_STATUS[event as CallbackEvent] });
	}
	expect(command).toContain(`BODY='${bodies.JobCompleted}'`);
});

it.each(Object.keys(EVENT_RESULT_STATUS))('the command, with the %s body, is accepted by the Test URL and gives the pinned item shape', async (event) => {
	if (!have('curl') || !have('openssl')) throw new Error('the README command needs curl and openssl: install them to run this check');
	const server = await start({ mode: 'manual', credentials: { environment: 'custom', callbackSecret: secret, previousCallbackSecret: '' } });
	const script = command
		.replace(/^URL='[^']*'/m, `URL='${server.url}'`)
		.replace(/^BODY='[^']*'/m, `BODY='${bodies[event as CallbackEvent]}'`);
	const run = await bash(script);
	expect(run.stderr).toBe('');
	expect(run.status).toBe(0);
	expect(JSON.parse(run.stdout)).toEqual({ status: 'accepted' });
	const [item] = server.items();
	expect(Object.keys(item).sort()).toEqual(Object.keys(pinned[0]).sort());
	expect(item).toMatchObject({ ...JSON.parse(bodies[event as CallbackEvent]), stale: false, possibleRepeat: false, signedWithPreviousSecret: false });
});

it('the pinned item is what the JobCompleted sample gives', async () => {
	const server = await start({ mode: 'manual', credentials: { environment: 'custom', callbackSecret: secret, previousCallbackSecret: '' } });
	const script = command.replace(/^URL='[^']*'/m, `URL='${server.url}'`);
	expect((await bash(script)).status).toBe(0);
	const [item] = server.items();
	expect({ ...item, receivedAt: pinned[0].receivedAt }).toEqual(pinned[0]);
});

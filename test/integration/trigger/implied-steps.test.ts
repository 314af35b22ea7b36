/**
 * Steps a later callback proves (nodes/G2SentryTrigger/implied.ts), through webhook() behind a
 * real HTTP server (lab/helpers/webhook-context.ts): what each run holds, and what G2 Sentry hears.
 */
import { payload, send, useTriggerServers } from './fixture';

const start = useTriggerServers();

const assigned = payload({ guardianPhone: '+15550100' });
const withdrawn = payload({ eventType: 'JobWithdrawed', jobStatus: 'New' });
const started = payload({ eventType: 'JobStarted', jobStatus: 'InProgress', guardianPhone: '+15550199' });
const completed = payload({ eventType: 'JobCompleted', jobStatus: 'Completed', guardianPhone: '+15550199' });
const kinds = (items: Array<{ json: Record<string, unknown> }>) => items.map((item) => `${item.json.eventType}${item.json.recoveredBecause === 'implied' ? ' (implied)' : ''}`);

describe('implied steps', () => {
	it('a completion after the assignment runs the lost start first, in the same run; the late start is a duplicate', async () => {
		const server = await start();
		expect((await send(server, assigned)).json).toEqual({ status: 'accepted' });
		expect((await send(server, completed)).json).toEqual({ status: 'accepted' });
		expect(server.runs).toHaveLength(2);
		expect(kinds(server.runs[1][0])).toEqual(['JobStarted (implied)', 'JobCompleted']);
		expect(server.runs[1][0][0].json).toEqual({
			jobId: 9142,
			eventType: 'JobStarted',
			jobName: 'Open house',
			jobStatus: 'InProgress',
			guardianPhone: '+15550199',
			receivedAt: server.runs[1][0][1].json.receivedAt,
			stale: false,
			possibleRepeat: false,
			signedWithPreviousSecret: false,
			verifiedWith: 'current',
			recovered: true,
			recoveredBecause: 'implied',
		});
		expect((await send(server, started)).json).toEqual({ status: 'duplicate' });
		expect(server.runs).toHaveLength(2);
	});

	it('a start after a withdrawal runs the lost re-assignment first; the real one arriving later runs marked possibleRepeat', async () => {
		const server = await start();
		await send(server, assigned);
		await send(server, withdrawn);
		await send(server, started);
		expect(kinds(server.runs[2][0])).toEqual(['JobAssigned (implied)', 'JobStarted']);
		expect(server.runs[2][0][0].json).toMatchObject({ guardianPhone: null, jobStatus: 'Assigned', possibleRepeat: false });
		const reassigned = payload({ guardianPhone: '+15550199' });
		expect((await send(server, reassigned)).json).toEqual({ status: 'accepted' });
		expect(server.runs[3][0].map((item) => item.json)).toEqual([expect.objectContaining({ eventType: 'JobAssigned', possibleRepeat: true, stale: true, recovered: false })]);
	});

	it('an assignment arriving after the completion of a job never seen started runs the lost start after it, without a Guardian', async () => {
		const server = await start();
		expect((await send(server, completed)).json).toEqual({ status: 'accepted' });
		expect(kinds(server.runs[0][0])).toEqual(['JobCompleted']);
		expect((await send(server, assigned)).json).toEqual({ status: 'accepted' });
		expect(server.runs).toHaveLength(2);
		expect(kinds(server.runs[1][0])).toEqual(['JobAssigned', 'JobStarted (implied)']);
		expect(server.runs[1][0][1].json).toMatchObject({ jobStatus: 'InProgress', guardianPhone: null, stale: true, possibleRepeat: false, recovered: true });
		expect((await send(server, started)).json).toEqual({ status: 'duplicate' });
		expect((await send(server, assigned)).json).toEqual({ status: 'duplicate' });
		expect(server.runs).toHaveLength(2);
	});

	it('runs an implied step the Events filter wants even when the callback itself is filtered; nothing for an unknown job', async () => {
		const server = await start({ parameters: { events: ['JobStarted'] } });
		await send(server, assigned);
		expect((await send(server, completed)).json).toEqual({ status: 'filtered' });
		expect(server.runs.map((run) => kinds(run[0]))).toEqual([['JobStarted (implied)']]);
		await send(server, payload({ jobId: 77, eventType: 'JobCompleted', jobStatus: 'Completed' }));
		expect(server.runs).toHaveLength(1);
	});
});

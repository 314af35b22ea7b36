/**
 * "Remember Deliveries For (Hours)" reaches the store: with the clock moved on (only Date is
 * faked; timers and sockets are real), a job is forgotten after the chosen retention, and a value
 * that is not a number falls back to the default week instead of turning pruning off.
 */
import { payload, send, useFakeDate, useTriggerServers } from './fixture';

const HOUR_MS = 60 * 60 * 1000;
const start = useTriggerServers();
useFakeDate();

/** Job 1 is delivered, `hours` pass, another job arrives (pruning runs), job 1 is redelivered. */
async function redeliveryAfter(hours: number, retentionHours: number | string): Promise<unknown> {
	const server = await start({ parameters: { options: { retentionHours } } });
	await send(server, payload({ jobId: 1 }));
	jest.setSystemTime(Date.now() + hours * HOUR_MS);
	await send(server, payload({ jobId: 2 }));
	return (await send(server, payload({ jobId: 1 }))).json;
}

it('forgets a job after the chosen retention, and remembers it within', async () => {
	expect(await redeliveryAfter(3, 2)).toEqual({ status: 'accepted' });
	expect(await redeliveryAfter(3, 4)).toEqual({ status: 'duplicate' });
});

it.each([Number.NaN, 'two'])('uses the default week for a retention of %p (not "forever")', async (retentionHours) => {
	expect(await redeliveryAfter(3, retentionHours)).toEqual({ status: 'duplicate' });
	expect(await redeliveryAfter(8 * 24, retentionHours)).toEqual({ status: 'accepted' });
});

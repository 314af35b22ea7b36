/**
 * Queue mode without a lock: two webhook processes each keep their own copy of the trigger's
 * memory, read the workflow's static data (possibly an old version: a request may load it before
 * another request's save) and save their whole copy (last writer wins, so a save can be lost).
 * Whatever the interleaving, no real event may be answered as a duplicate: every one is emitted,
 * marked `possibleRepeat` where the memory cannot tell it from a repeat.
 */
import fc from 'fast-check';

import { saveStore } from '../../nodes/G2SentryTrigger/eventStore';
import { recordEvent, SHARED_DOUBT_MS, type IncomingEvent } from '../../nodes/G2SentryTrigger/events';

type Cache = typeof import('../../nodes/G2SentryTrigger/storeCache');

/**
 * One workflow's static data as the processes see it in turn: each delivery loads the saved copy
 * (a fresh object, as n8n parses it), decides against its process's cache and saves the result.
 */
function sharedStaticData() {
	let saved: unknown;
	return (cache: Cache, event: IncomingEvent, now: number) => {
		const store = cache.currentStore('k', saved === undefined ? undefined : JSON.parse(JSON.stringify(saved)), now);
		const verdict = recordEvent(store, event, now);
		saved = saveStore(store);
		return verdict;
	};
}

function twoProcesses(): Cache[] {
	return [0, 1].map(() => {
		let module: Cache | undefined;
		jest.isolateModules(() => {
			module = jest.requireActual<Cache>('../../nodes/G2SentryTrigger/storeCache');
		});
		return module!;
	});
}

const JOB = 1;
const assigned = (phone: string): IncomingEvent => ({ jobId: JOB, eventType: 'JobAssigned', jobStatus: 'Assigned', guardianPhone: phone });
const WITHDRAWN: IncomingEvent = { jobId: JOB, eventType: 'JobWithdrawed', jobStatus: 'New', guardianPhone: null };
const STARTED: IncomingEvent = { jobId: JOB, eventType: 'JobStarted', jobStatus: 'InProgress', guardianPhone: null };
const COMPLETED: IncomingEvent = { jobId: JOB, eventType: 'JobCompleted', jobStatus: 'Completed', guardianPhone: null };
const CANCELED: IncomingEvent = { jobId: JOB, eventType: 'JobWithdrawed', jobStatus: 'Canceled', guardianPhone: null };

/** A job's real history: assignments (two Guardians, so often the same one again), each but the last withdrawn, then an end. */
const lifecycle = fc
	.record({
		guardians: fc.array(fc.constantFrom('+15550100', '+15550199'), { minLength: 1, maxLength: 4 }),
		end: fc.constantFrom('open', 'started', 'completed', 'canceled', 'withdrawn'),
	})
	.map(({ guardians, end }) => {
		const events: IncomingEvent[] = [];
		guardians.forEach((phone, i) => {
			events.push(assigned(phone));
			if (i < guardians.length - 1 || end === 'withdrawn') events.push(WITHDRAWN);
		});
		if (end === 'started' || end === 'completed') events.push(STARTED);
		if (end === 'completed') events.push(COMPLETED);
		if (end === 'canceled') events.push(CANCELED);
		return events;
	});

/** One delivery: which process takes it, how old the static data it reads is, whether its save is overwritten. */
const delivery = fc.record({ process: fc.integer({ min: 0, max: 1 }), readsBack: fc.integer({ min: 0, max: 3 }), saveLost: fc.boolean() });

const scenario = lifecycle.chain((events) =>
	fc.record({
		events: fc.constant(events),
		// a copy of event i (a retry) is sent after it, at a later position
		copies: fc.array(fc.record({ of: fc.integer({ min: 0, max: events.length - 1 }), later: fc.integer({ min: 0, max: 20 }) }), { maxLength: 6 }),
		deliveries: fc.array(delivery, { minLength: events.length + 6, maxLength: events.length + 6 }),
	}),
);

interface Sent {
	event: IncomingEvent;
	/** index of the real event it belongs to */
	real: number;
	first: boolean;
}

function schedule(events: IncomingEvent[], copies: Array<{ of: number; later: number }>): Sent[] {
	const sent: Sent[] = events.map((event, real) => ({ event, real, first: true }));
	for (const { of, later } of copies) {
		const at = Math.min(sent.length, sent.findIndex((s) => s.real === of && s.first) + 1 + later);
		sent.splice(at, 0, { event: events[of], real: of, first: false });
	}
	return sent;
}

describe('two processes saving over each other (queue mode)', () => {
	it('emits every real event, in every interleaving of reads, saves and lost saves', () => {
		fc.assert(
			fc.property(scenario, ({ events, copies, deliveries }) => {
				const processes = twoProcesses();
				const versions: string[] = [];
				let now = 1_000_000;
				const deliver = (p: number, event: IncomingEvent, readsBack = 0, saveLost = false) => {
					now += 1_000;
					const version = versions[Math.max(0, versions.length - 1 - readsBack)];
					const store = processes[p].currentStore('wf:node:webhook', version === undefined ? undefined : JSON.parse(version), now);
					const verdict = recordEvent(store, event, now);
					if (!saveLost) versions.push(JSON.stringify(saveStore(store)));
					return verdict;
				};
				// both processes have served this workflow: each has read a copy the other saved
				deliver(0, { ...STARTED, jobId: 900 });
				deliver(1, { ...STARTED, jobId: 901 });
				deliver(0, { ...STARTED, jobId: 902 });

				const sent = schedule(events, copies);
				sent.forEach((s, i) => {
					const how = deliveries[i % deliveries.length];
					const verdict = deliver(how.process, s.event, how.readsBack, how.saveLost);
					if (s.first && verdict.duplicate) {
						throw new Error(`real event ${s.real} (${s.event.eventType} ${s.event.jobStatus} ${s.event.guardianPhone ?? ''}) answered as a duplicate`);
					}
				});
			}),
			{ numRuns: 400 },
		);
	});

	it('still drops what is proven: a second start or completion seen by the deciding copy', () => {
		const [p0, p1] = twoProcesses();
		const record = sharedStaticData();
		const deliver = (cache: Cache, event: IncomingEvent, now: number) => record(cache, event, now).duplicate;
		expect(deliver(p0, STARTED, 1)).toBe(false);
		expect(deliver(p1, STARTED, 2)).toBe(true);
		expect(deliver(p1, COMPLETED, 3)).toBe(false);
		expect(deliver(p0, COMPLETED, 4)).toBe(true);
		expect(deliver(p0, CANCELED, 5)).toBe(false);
		expect(deliver(p1, CANCELED, 6)).toBe(true);
	});

	it('drops repeats on counts again once no other copy was read for SHARED_DOUBT_MS, unless the job was marked in doubt', () => {
		const [p0, p1] = twoProcesses();
		const record = sharedStaticData();
		const deliver = (cache: Cache, event: IncomingEvent, now: number) => {
			const verdict = record(cache, event, now);
			return verdict.duplicate ? 'dup' : verdict.possibleRepeat ? 'repeat?' : 'new';
		};
		const later = 10 + SHARED_DOUBT_MS;
		expect(deliver(p0, { ...STARTED, jobId: 5 }, 1)).toBe('new');
		// p1 reads p0's copy: doubt; job 1's repeat is emitted and job 1 stays in doubt for good
		expect(deliver(p1, assigned('+15550100'), 2)).toBe('new');
		expect(deliver(p1, assigned('+15550100'), 3)).toBe('repeat?');
		expect(deliver(p1, { ...assigned('+15550100'), jobId: 2 }, 4)).toBe('new');
		// p1 alone from now on: after the window, job 2's repeat is a proven duplicate again
		expect(deliver(p1, { ...assigned('+15550100'), jobId: 2 }, later)).toBe('dup');
		expect(deliver(p1, assigned('+15550100'), later + 1)).toBe('repeat?');
	});
});

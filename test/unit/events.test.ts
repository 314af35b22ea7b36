import { CALLBACK_RETRY_DELAYS_MS } from '../../nodes/shared/contract';
import { createStore, loadStore, mergeStores, type EventStore } from '../../nodes/G2SentryTrigger/eventStore';
import {
	DEFAULT_LIMITS,
	effectiveLimits,
	MIN_RETENTION_MS,
	pruneStore,
	recordEvent,
	type IncomingEvent,
	type Verdict,
} from '../../nodes/G2SentryTrigger/events';

const STATUS: Record<string, string> = {
	JobAssigned: 'Assigned',
	JobStarted: 'InProgress',
	JobCompleted: 'Completed',
	JobWithdrawed: 'New',
};

function ev(eventType: string, extra: Partial<IncomingEvent> = {}): IncomingEvent {
	return { jobId: 1, eventType, jobStatus: STATUS[eventType] ?? 'Assigned', guardianPhone: null, ...extra };
}

/** Assigned to one Guardian, withdrawn, assigned to another (phones tell the assignments apart). */
const reassigned = () => [
	ev('JobAssigned', { guardianPhone: '+15550100' }),
	ev('JobWithdrawed'),
	ev('JobAssigned', { guardianPhone: '+15550199' }),
];

/** Feeds deliveries in order and returns a compact trace: 'new', 'stale' or 'dup' per delivery. */
function run(events: IncomingEvent[], store: EventStore = createStore()): string[] {
	return events.map((event, i) => describe_(recordEvent(store, event, 1_000 + i)));
}
function describe_(verdict: Verdict): string {
	if (verdict.duplicate) return 'dup';
	return verdict.stale ? 'stale' : 'new';
}

describe('recordEvent: duplicates', () => {
	it('emits each event of a normal lifecycle once and drops every retry', () => {
		const A = ev('JobAssigned', { guardianPhone: '+15550100' });
		const S = ev('JobStarted', { guardianPhone: '+15550100' });
		const C = ev('JobCompleted');
		expect(run([A, A, S, A, S, C, C, S])).toEqual(['new', 'dup', 'new', 'dup', 'dup', 'new', 'dup', 'dup']);
	});

	it('emits a re-assignment after a withdrawal although the payload is identical', () => {
		const A = ev('JobAssigned');
		const W = ev('JobWithdrawed');
		expect(run([A, A, W, W, A, A, W, A, A])).toEqual(['new', 'dup', 'new', 'dup', 'new', 'dup', 'new', 'new', 'dup']);
	});

	it('tells two assignments apart by their payload even before the withdrawal arrives', () => {
		const first = ev('JobAssigned', { guardianPhone: '+15550100' });
		const second = ev('JobAssigned', { guardianPhone: '+15550199' });
		expect(run([first, second, first, ev('JobWithdrawed'), second])).toEqual(['new', 'new', 'dup', 'stale', 'dup']);
	});

	it('keeps jobs apart', () => {
		expect(run([ev('JobAssigned'), ev('JobAssigned', { jobId: 2 }), ev('JobAssigned', { jobId: 2 })])).toEqual([
			'new',
			'new',
			'dup',
		]);
	});

	it('treats a cancellation sent as JobWithdrawed (status Canceled) as its own one-time event', () => {
		const W = ev('JobWithdrawed');
		const X = ev('JobWithdrawed', { jobStatus: 'Canceled' });
		expect(run([ev('JobAssigned'), W, X, X, W])).toEqual(['new', 'new', 'new', 'dup', 'dup']);
	});

	it('dedupes unknown event types on type and status', () => {
		const U = ev('JobRescheduled', { jobStatus: 'Assigned' });
		expect(run([U, U, ev('JobRescheduled', { jobStatus: 'New' })])).toEqual(['new', 'dup', 'new']);
	});
});

describe('recordEvent: events the contract cannot tell from a late retry (possibleRepeat)', () => {
	const flags = (events: IncomingEvent[]) => {
		const store = createStore();
		return events.map((event, i) => {
			const verdict = recordEvent(store, event, 1_000 + i);
			return verdict.duplicate ? 'dup' : verdict.possibleRepeat ? 'repeat?' : 'new';
		});
	};
	const A1 = ev('JobAssigned', { guardianPhone: '+15550103' });
	const A2 = ev('JobAssigned', { guardianPhone: '+15550105' });
	const W = ev('JobWithdrawed');

	it('does not flag events whose payload is new for the job', () => {
		expect(flags([A1, W, A2, ev('JobStarted', { guardianPhone: '+15550105' }), ev('JobCompleted')])).toEqual(['new', 'new', 'new', 'new', 'new']);
	});

	it('flags the second withdrawal of a job: every withdrawal carries the same payload', () => {
		expect(flags([A1, W, A2, W])).toEqual(['new', 'new', 'new', 'repeat?']);
	});

	it('flags an assignment whose Guardian phone was already seen after a withdrawal (the same Guardian again, or a late copy)', () => {
		expect(flags([A1, W, A1])).toEqual(['new', 'new', 'repeat?']);
	});

	it('the R2 chaos case: every item beyond the real A1 W A2 S C is flagged, none of the real ones lost', () => {
		// what one n8n was sent for one job in a reliability run: a copy of A1 after the withdrawal,
		// the withdrawal's retry (its first answer was lost) after the re-assignment, another copy
		const S = ev('JobStarted', { guardianPhone: '+15550105' });
		const C = ev('JobCompleted');
		expect(flags([A1, W, A1, A2, W, A2, W, S, C, C, C])).toEqual(['new', 'new', 'repeat?', 'new', 'repeat?', 'dup', 'repeat?', 'new', 'new', 'dup', 'dup']);
	});
});

describe('recordEvent: a cancellation reported as JobWithdrawed', () => {
	it('counts each event of A W A X once in every arrival order, the cancellation never stale', () => {
		const lifecycle = [...reassigned(), ev('JobWithdrawed', { jobStatus: 'Canceled' })];
		for (const order of permutations(lifecycle)) {
			const store = createStore();
			const trace = run(order, store);
			expect(trace.filter((t) => t !== 'dup')).toHaveLength(lifecycle.length);
			expect(trace[order.indexOf(lifecycle[3])]).toBe('new');
			// (a late retry of the withdrawal is the known ambiguity below: the job may have been
			// withdrawn again before it was canceled)
			expect(run([lifecycle[0], lifecycle[2], lifecycle[3]], store)).toEqual(['dup', 'dup', 'dup']);
		}
	});
});

describe('recordEvent: out of order', () => {
	it('flags an assignment that arrives after the start as stale', () => {
		expect(run([ev('JobStarted'), ev('JobAssigned'), ev('JobCompleted'), ev('JobStarted')])).toEqual([
			'new',
			'stale',
			'new',
			'dup',
		]);
	});

	it('drops a start that arrives after the completion: the completion implied it (implied.ts)', () => {
		expect(run([ev('JobAssigned'), ev('JobCompleted'), ev('JobStarted')])).toEqual(['new', 'new', 'dup']);
	});

	it('flags a start that arrives after the completion as stale when the job was unknown before', () => {
		expect(run([ev('JobCompleted'), ev('JobStarted')])).toEqual(['new', 'stale']);
	});

	it('flags an assignment whose withdrawal came first as stale, and still counts it', () => {
		const A = ev('JobAssigned');
		const W = ev('JobWithdrawed');
		// W(1) A(1, stale: job is New again) A(2, the re-assignment) A(retry)
		expect(run([W, A, A, A])).toEqual(['new', 'stale', 'new', 'dup']);
	});

	it('flags a withdrawal older than a later assignment as stale', () => {
		const first = ev('JobAssigned', { guardianPhone: '+15550100' });
		const second = ev('JobAssigned', { guardianPhone: '+15550199' });
		expect(run([first, second, ev('JobWithdrawed')])).toEqual(['new', 'new', 'stale']);
	});

	it('counts every distinct event of any arrival order exactly once (A W A S C)', () => {
		const lifecycle = [...reassigned(), ev('JobStarted', { guardianPhone: '+15550199' }), ev('JobCompleted')];
		for (const order of permutations(lifecycle)) {
			const store = createStore();
			const verdicts = order.map((event, i) => recordEvent(store, event, 1_000 + i));
			// each event emitted (a step implied by a later one counts as emitted, implied.ts) ...
			const emitted = verdicts.flatMap((v, i) => (v.duplicate ? [] : [...(v.implied ?? []).map((s) => s.eventType), order[i].eventType]));
			for (const type of ['JobAssigned', 'JobWithdrawed', 'JobStarted', 'JobCompleted']) {
				expect(emitted.filter((t) => t === type).length).toBeGreaterThanOrEqual(lifecycle.filter((e) => e.eventType === type).length);
			}
			// ... and anything beyond that is marked: an implied step, or a possible repeat
			const unmarked = verdicts.filter((v) => !v.duplicate && v.possibleRepeat !== true).length;
			expect(unmarked).toBeLessThanOrEqual(lifecycle.length);
			// the completion is never stale, whatever came before
			const completion = verdicts[order.indexOf(lifecycle[4])];
			expect(!completion.duplicate && completion.stale).toBe(false);
			// and once everything is known, no late retry runs unmarked
			const late = [...lifecycle].reverse().map((event, i) => recordEvent(store, event, 2_000 + i));
			expect(late.every((v) => v.duplicate || v.possibleRepeat === true)).toBe(true);
		}
	});

	it('drops retries that arrive right after their original, in lifecycle order', () => {
		const lifecycle = [ev('JobAssigned'), ev('JobWithdrawed'), ev('JobAssigned'), ev('JobStarted'), ev('JobCompleted')];
		const trace = run(lifecycle.flatMap((event) => [event, event, event]));
		expect(trace.filter((t) => t !== 'dup')).toHaveLength(lifecycle.length);
	});

	it('reads a withdrawal seen after two assignments as the later one (known ambiguity)', () => {
		// Identical withdrawal payloads: a retry of the first withdrawal, arriving after the
		// re-assignment, cannot be told from a withdrawal of the re-assignment, and the ordered
		// reading wins (losing a real event is worse than emitting a retry).
		const first = ev('JobAssigned', { guardianPhone: '+15550100' });
		const second = ev('JobAssigned', { guardianPhone: '+15550199' });
		const W = ev('JobWithdrawed');
		expect(run([first, W, second, W, W])).toEqual(['new', 'new', 'new', 'new', 'dup']);
	});
});

describe('store bounds', () => {
	it('spans the vendor retry window at the minimum retention', () => {
		const window = CALLBACK_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);
		expect(MIN_RETENTION_MS).toBeGreaterThan(window);
		expect(effectiveLimits({ maxAgeMs: 1000 }).maxAgeMs).toBe(MIN_RETENTION_MS);
		expect(effectiveLimits({}).maxAgeMs).toBe(DEFAULT_LIMITS.maxAgeMs);
	});

	it.each([NaN, Infinity, -Infinity])('falls back to the defaults for a limit of %p (pruning stays on)', (value) => {
		expect(effectiveLimits({ maxAgeMs: value, maxJobs: value })).toEqual(DEFAULT_LIMITS);
	});

	it('keeps a fixed-size fingerprint instead of the phone number sent', () => {
		const store = createStore();
		const huge = '+1' + '5'.repeat(100_000);
		recordEvent(store, ev('JobAssigned', { guardianPhone: '+15550100' }), 1);
		recordEvent(store, ev('JobAssigned', { jobId: 2, guardianPhone: huge }), 2);
		const saved = JSON.stringify(store);
		expect(saved).not.toContain('15550100');
		expect(saved.length).toBeLessThan(300);
		// and the fingerprint still recognises the retry
		expect(recordEvent(store, ev('JobAssigned', { jobId: 2, guardianPhone: huge }), 3)).toEqual({ duplicate: true });
	});

	it('stays under 2 MiB at the default bound whatever a sender holding the secret sends', () => {
		// every job at its worst: huge ids, 8 different Guardians, withdrawals, the end states and
		// many long unknown event types (Emit Unknown Event Types on)
		const store = createStore();
		const name = (n: number) => `J${String(n).padStart(63, 'x')}`;
		let now = 0;
		for (let job = 1; job <= DEFAULT_LIMITS.maxJobs + 50; job++) {
			const jobId = Number.MAX_SAFE_INTEGER - job;
			for (let n = 0; n < 12; n++) {
				recordEvent(store, ev('JobAssigned', { jobId, guardianPhone: `+1555${n}`.repeat(100) }), now++);
				recordEvent(store, ev('JobWithdrawed', { jobId }), now++);
				recordEvent(store, ev('Unknown', { jobId, eventType: name(n), jobStatus: name(n + 1) }), now++);
			}
			for (const type of ['JobStarted', 'JobCompleted']) recordEvent(store, ev(type, { jobId }), now++);
			recordEvent(store, ev('JobWithdrawed', { jobId, jobStatus: 'Canceled' }), now++);
		}
		expect(Object.keys(store.jobs).length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxJobs);
		expect(JSON.stringify(store).length).toBeLessThan(2 * 1024 * 1024);
	});

	it('still drops a retry arriving at the end of the retry window with minimum retention', () => {
		const store = createStore();
		const limits = effectiveLimits({ maxAgeMs: 0 });
		const start = Date.UTC(2026, 0, 1);
		recordEvent(store, ev('JobAssigned'), start, limits);
		let t = start;
		for (const delay of CALLBACK_RETRY_DELAYS_MS) {
			t += delay;
			// other jobs keep the store busy, so pruning really runs in between
			recordEvent(store, ev('JobAssigned', { jobId: 1000 + delay }), t - 1, limits);
		}
		expect(recordEvent(store, ev('JobAssigned'), t, limits)).toEqual({ duplicate: true });
	});

	it('forgets jobs not heard of for longer than the retention', () => {
		const store = createStore();
		const limits = effectiveLimits({ maxAgeMs: MIN_RETENTION_MS });
		recordEvent(store, ev('JobAssigned'), 0, limits);
		recordEvent(store, ev('JobAssigned', { jobId: 2 }), MIN_RETENTION_MS + 1, limits);
		expect(Object.keys(store.jobs)).toEqual(['2']);
	});

	it('evicts the least recently heard-of jobs beyond maxJobs', () => {
		const store = createStore();
		const limits = { maxJobs: 100, maxAgeMs: MIN_RETENTION_MS };
		for (let job = 1; job <= 101; job++) recordEvent(store, ev('JobAssigned', { jobId: job }), job, limits);
		const kept = Object.keys(store.jobs).map(Number);
		expect(kept.length).toBe(90);
		expect(Math.min(...kept)).toBe(12);
		expect(kept).toContain(101);
	});

	it('keeps the store small enough to save with the workflow at the default size', () => {
		const store = createStore();
		for (let job = 1; job <= DEFAULT_LIMITS.maxJobs; job++) {
			recordEvent(store, ev('JobAssigned', { jobId: 100_000 + job, guardianPhone: '+15550100' }), job);
			recordEvent(store, ev('JobStarted', { jobId: 100_000 + job }), job);
		}
		pruneStore(store, DEFAULT_LIMITS.maxJobs + 1);
		expect(Object.keys(store.jobs)).toHaveLength(DEFAULT_LIMITS.maxJobs);
		expect(JSON.stringify(store).length).toBeLessThan(512 * 1024);
	});
});

describe('loadStore', () => {
	it('starts fresh on missing or foreign data and keeps a valid store', () => {
		expect(loadStore(undefined)).toEqual(createStore());
		expect(loadStore({ v: 3, jobs: {} })).toEqual(createStore());
		expect(loadStore('x')).toEqual(createStore());
		const saved = JSON.parse(JSON.stringify(createStore())) as EventStore;
		recordEvent(saved, ev('JobAssigned'), 5);
		const reloaded = loadStore(JSON.parse(JSON.stringify(saved)));
		expect(recordEvent(reloaded, ev('JobAssigned'), 6)).toEqual({ duplicate: true });
	});
});

function permutations<T>(items: T[]): T[][] {
	if (items.length <= 1) return [items];
	return items.flatMap((item, i) =>
		permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
	);
}

describe('the job count kept beside the store', () => {
	const atBound = { maxJobs: 100, maxAgeMs: DEFAULT_LIMITS.maxAgeMs };
	const newJob = (jobId: number) => ev('JobAssigned', { jobId, guardianPhone: `+1555${jobId}` });

	it('keeps a store at its bound as new jobs come, loaded or created, without counting keys per job', () => {
		for (const store of [createStore(), loadStore({ v: 3, jobs: '', pruned: 0 })]) {
			for (let i = 1; i <= 500; i++) recordEvent(store, newJob(i), 1_000 + i, atBound);
			const size = Object.keys(store.jobs).length;
			expect(size).toBeLessThanOrEqual(100);
			expect(size).toBeGreaterThanOrEqual(90);
			// the most recently heard of jobs stay
			expect(store.jobs['500']).toBeDefined();
			expect(store.jobs['1']).toBeUndefined();
		}
	});

	it('counts jobs a merge added, so the next new job evicts down to the bound', () => {
		const store = createStore();
		const other = createStore();
		for (let i = 1; i <= 100; i++) recordEvent(other, newJob(i), 1_000 + i, atBound);
		for (let i = 101; i <= 150; i++) recordEvent(store, newJob(i), 2_000 + i, atBound);
		mergeStores(store, other);
		expect(Object.keys(store.jobs)).toHaveLength(150);
		recordEvent(store, newJob(999), 3_000, atBound);
		expect(Object.keys(store.jobs).length).toBeLessThanOrEqual(100);
		expect(store.jobs['999']).toBeDefined();
	});

	it('never evicts because of a count gone wrong: keys are counted before anything is removed', () => {
		const store = loadStore({ v: 3, jobs: Array.from({ length: 100 }, (_, i) => `${i + 1}=1.0.0.${(1_000 + i).toString(36)}`).join(' '), pruned: 0 });
		// a key removed behind the count's back: the count says 100, there are 99
		delete store.jobs['50'];
		recordEvent(store, newJob(777), 5_000, atBound);
		expect(Object.keys(store.jobs)).toHaveLength(100);
	});
});

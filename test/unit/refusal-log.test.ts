import { clearRefusalLog, MAX_LOG_ENTRIES, REFUSAL_LOG_EVERY_MS, refusalToLog, toLog } from '../../nodes/G2SentryTrigger/refusalLog';

describe('refusalToLog: one log line a minute per workflow and reason', () => {
	beforeEach(() => clearRefusalLog());

	it('logs the first refusal of a reason, then stays quiet for a minute, then says how many went unlogged', () => {
		expect(refusalToLog('wf1', 'signature-mismatch', 1_000)).toEqual({ log: true, unlogged: 0 });
		for (let i = 1; i <= 500; i++) expect(refusalToLog('wf1', 'signature-mismatch', 1_000 + i).log).toBe(false);
		expect(refusalToLog('wf1', 'signature-mismatch', 1_000 + REFUSAL_LOG_EVERY_MS - 1).log).toBe(false);
		expect(refusalToLog('wf1', 'signature-mismatch', 1_000 + REFUSAL_LOG_EVERY_MS)).toEqual({ log: true, unlogged: 501 });
		expect(refusalToLog('wf1', 'signature-mismatch', 1_000 + REFUSAL_LOG_EVERY_MS + 1)).toEqual({ log: false, unlogged: 1 });
	});

	it('keeps reasons apart: a flood of one does not hide the first of another', () => {
		refusalToLog('wf1', 'signature-mismatch', 0);
		refusalToLog('wf1', 'signature-mismatch', 1);
		expect(refusalToLog('wf1', 'body-too-large', 2)).toEqual({ log: true, unlogged: 0 });
		expect(refusalToLog('wf1', 'no-secret', 3)).toEqual({ log: true, unlogged: 0 });
	});

	it('keeps workflows apart: one noisy workflow does not silence another', () => {
		for (let i = 0; i < 100; i++) refusalToLog('noisy', 'mismatch', i);
		expect(refusalToLog('quiet', 'mismatch', 100)).toEqual({ log: true, unlogged: 0 });
		expect(refusalToLog('noisy', 'mismatch', 101).log).toBe(false);
	});

	it('stays bounded: past MAX_LOG_ENTRIES the least recently logged entry goes (it logs again, never stays silent)', () => {
		for (let i = 0; i <= MAX_LOG_ENTRIES; i++) refusalToLog(`wf${i}`, 'mismatch', 10);
		// wf0 was evicted: its next refusal is logged at once
		expect(refusalToLog('wf0', 'mismatch', 11).log).toBe(true);
		expect(refusalToLog(`wf${MAX_LOG_ENTRIES}`, 'mismatch', 12).log).toBe(false);
	});

	it('logs again when the clock went backwards (a changed system time must not silence it)', () => {
		refusalToLog('wf1', 'bad-payload', 100_000);
		expect(refusalToLog('wf1', 'bad-payload', 50_000).log).toBe(true);
	});

	it('limits other warnings by their own period (e.g. once a day)', () => {
		const day = 24 * 60 * 60 * 1000;
		expect(toLog('wf1', 'previous-secret', 0, day).log).toBe(true);
		expect(toLog('wf1', 'previous-secret', day - 1, day).log).toBe(false);
		expect(toLog('wf1', 'previous-secret', day, day)).toEqual({ log: true, unlogged: 1 });
		// a refusal of the same name is another entry
		expect(refusalToLog('wf1', 'previous-secret', 5).log).toBe(true);
	});
});

import { clearRefusalLog, REFUSAL_LOG_EVERY_MS, refusalToLog } from '../../nodes/G2SentryTrigger/refusalLog';

describe('refusalToLog: one log line a minute per reason', () => {
	beforeEach(() => clearRefusalLog());

	it('logs the first refusal of a reason, then stays quiet for a minute, then says how many went unlogged', () => {
		expect(refusalToLog('signature-mismatch', 1_000)).toEqual({ log: true, unlogged: 0 });
		for (let i = 1; i <= 500; i++) expect(refusalToLog('signature-mismatch', 1_000 + i).log).toBe(false);
		expect(refusalToLog('signature-mismatch', 1_000 + REFUSAL_LOG_EVERY_MS - 1).log).toBe(false);
		expect(refusalToLog('signature-mismatch', 1_000 + REFUSAL_LOG_EVERY_MS)).toEqual({ log: true, unlogged: 501 });
		expect(refusalToLog('signature-mismatch', 1_000 + REFUSAL_LOG_EVERY_MS + 1)).toEqual({ log: false, unlogged: 1 });
	});

	it('keeps reasons apart: a flood of one does not hide the first of another', () => {
		refusalToLog('signature-mismatch', 0);
		refusalToLog('signature-mismatch', 1);
		expect(refusalToLog('body-too-large', 2)).toEqual({ log: true, unlogged: 0 });
		expect(refusalToLog('no-secret', 3)).toEqual({ log: true, unlogged: 0 });
	});

	it('logs again when the clock went backwards (a changed system time must not silence it)', () => {
		refusalToLog('bad-payload', 100_000);
		expect(refusalToLog('bad-payload', 50_000).log).toBe(true);
	});
});

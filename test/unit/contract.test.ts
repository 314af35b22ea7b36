import {
	ALLOWED_TRANSITIONS,
	CALLBACK_EVENTS,
	CALLBACK_RETRY_DELAYS_MS,
	EVENT_RESULT_STATUS,
	JOB_STATUSES,
	STATE_PATTERN,
	ZIP_PATTERN,
} from '../../nodes/shared/contract';

describe('contract facts', () => {
	it('lets every callback event leave the job in a status reachable by an allowed transition', () => {
		for (const event of CALLBACK_EVENTS) {
			const target = EVENT_RESULT_STATUS[event];
			const reachableFrom = JOB_STATUSES.filter((s) => ALLOWED_TRANSITIONS[s].includes(target));
			expect(reachableFrom.length).toBeGreaterThan(0);
		}
	});

	it('ends the lifecycle at Completed and Canceled', () => {
		expect(ALLOWED_TRANSITIONS.Completed).toEqual([]);
		expect(ALLOWED_TRANSITIONS.Canceled).toEqual([]);
		expect(ALLOWED_TRANSITIONS.InProgress).not.toContain('Canceled');
	});

	it('keeps the vendor retry schedule in order, ending at one hour', () => {
		expect([...CALLBACK_RETRY_DELAYS_MS]).toEqual([1000, 5000, 30000, 120000, 600000, 3600000]);
	});

	it.each([
		['NY', true],
		['ny', false],
		['NYC', false],
	])('state %s valid=%s', (state, ok) => expect(STATE_PATTERN.test(state)).toBe(ok));

	it.each([
		['92345', true],
		['923451234', true],
		['92345-1234', true],
		['9234', false],
		['92345-12', false],
		['abcde', false],
	])('zip %s valid=%s', (zip, ok) => expect(ZIP_PATTERN.test(zip)).toBe(ok));
});

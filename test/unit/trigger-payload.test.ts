import { parseCallback } from '../../nodes/G2SentryTrigger/payload';

const parse = (text: string) => parseCallback(Buffer.from(text, 'utf8'));

describe('parseCallback', () => {
	it('types a full payload', () => {
		expect(
			parse('{"jobId":9142,"eventType":"JobAssigned","jobName":"Café 🏠","jobStatus":"Assigned","guardianPhone":"+15550100"}'),
		).toEqual({
			ok: true,
			event: {
				jobId: 9142,
				eventType: 'JobAssigned',
				jobName: 'Café 🏠',
				jobStatus: 'Assigned',
				guardianPhone: '+15550100',
				known: true,
			},
		});
	});

	it('keeps the payload status over the event (JobWithdrawed may say Canceled)', () => {
		const result = parse('{"jobId":3,"eventType":"JobWithdrawed","jobName":"x","jobStatus":"Canceled"}');
		expect(result.ok && result.event.jobStatus).toBe('Canceled');
	});

	it('fills a missing status from a known event, and a missing phone or name with null', () => {
		const result = parse('{"jobId":3,"eventType":"JobStarted"}');
		expect(result).toEqual({
			ok: true,
			event: { jobId: 3, eventType: 'JobStarted', jobName: null, jobStatus: 'InProgress', guardianPhone: null, known: true },
		});
	});

	it('accepts a well-formed unknown event type with a status, marked unknown', () => {
		const result = parse('{"jobId":3,"eventType":"JobRescheduled","jobStatus":"Assigned"}');
		expect(result.ok && result.event.known).toBe(false);
		expect(parse('{"jobId":3,"eventType":"JobRescheduled"}')).toEqual({
			ok: false,
			message: 'jobStatus is required for event types this node does not know',
		});
	});

	it.each([
		['not JSON', 'jobId=3', 'Body is not valid JSON'],
		['empty', '', 'Body is not valid JSON'],
		['an array', '[{"jobId":3}]', 'Body must be a JSON object'],
		['null', 'null', 'Body must be a JSON object'],
		['no jobId', '{"eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['string jobId', '{"jobId":"3","eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['fractional jobId', '{"jobId":3.5,"eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['negative jobId', '{"jobId":-3,"eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['unsafe jobId', '{"jobId":9007199254740993,"eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['no eventType', '{"jobId":3}', 'eventType must be an event name such as JobAssigned'],
		['odd eventType', '{"jobId":3,"eventType":"<script>"}', 'eventType must be an event name such as JobAssigned'],
		['numeric name', '{"jobId":3,"eventType":"JobStarted","jobName":5}', 'jobName must be a string when present'],
		['object phone', '{"jobId":3,"eventType":"JobStarted","guardianPhone":{}}', 'guardianPhone must be a string when present'],
	])('rejects %s', (_name, text, message) => {
		expect(parse(text)).toEqual({ ok: false, message });
	});
});

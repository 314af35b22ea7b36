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

	it('reads a body that starts with a UTF-8 byte-order mark', () => {
		const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"jobId":3,"eventType":"JobStarted"}')]);
		expect(parseCallback(withBom)).toMatchObject({ ok: true, event: { jobId: 3 } });
	});

	it('refuses bytes that are not UTF-8 instead of reading them as replacement characters', () => {
		const latin1 = Buffer.from('{"jobId":3,"eventType":"JobStarted","jobName":"Caf\xe9"}', 'latin1');
		expect(latin1.includes(0xe9)).toBe(true);
		expect(parseCallback(latin1)).toEqual({ ok: false, message: 'Body is not valid UTF-8' });
	});

	it('ignores extra fields and nested junk, and keeps only the typed fields', () => {
		const result = parse('{"jobId":3,"eventType":"JobStarted","extra":{"a":[1,{"b":null}]},"__proto__":{"x":1}}');
		expect(result).toEqual({
			ok: true,
			event: { jobId: 3, eventType: 'JobStarted', jobName: null, jobStatus: 'InProgress', guardianPhone: null, known: true },
		});
	});

	it('reads a jobId written with an exponent as the integer it is, and an empty status as missing', () => {
		expect(parse('{"jobId":1e3,"eventType":"JobStarted","jobStatus":""}')).toMatchObject({
			ok: true,
			event: { jobId: 1000, jobStatus: 'InProgress' },
		});
	});

	it('accepts names up to 64 characters', () => {
		const name = 'J' + 'x'.repeat(63);
		expect(parse(`{"jobId":3,"eventType":"${name}","jobStatus":"${name}"}`)).toMatchObject({
			ok: true,
			event: { eventType: name, jobStatus: name, known: false },
		});
	});

	it.each([
		['invalid UTF-8 inside JSON', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 'Body is not valid UTF-8'],
		['a lone BOM', Buffer.from([0xef, 0xbb, 0xbf]), 'Body is not valid JSON'],
	])('rejects %s', (_name, bytes, message) => {
		expect(parseCallback(bytes)).toEqual({ ok: false, message });
	});

	it.each([
		['not JSON', 'jobId=3', 'Body is not valid JSON'],
		['a number', '42', 'Body must be a JSON object'],
		['a string', '"JobStarted"', 'Body must be a JSON object'],
		['zero jobId', '{"jobId":0,"eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['huge jobId', '{"jobId":1e300,"eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['boolean jobId', '{"jobId":true,"eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['null jobId', '{"jobId":null,"eventType":"JobStarted"}', 'jobId must be a positive integer'],
		['numeric eventType', '{"jobId":3,"eventType":7}', 'eventType must be an event name such as JobAssigned'],
		['array eventType', '{"jobId":3,"eventType":["JobStarted"]}', 'eventType must be an event name such as JobAssigned'],
		['65-character eventType', `{"jobId":3,"eventType":"J${'x'.repeat(64)}"}`, 'eventType must be an event name such as JobAssigned'],
		['eventType with spaces', '{"jobId":3,"eventType":"Job Started"}', 'eventType must be an event name such as JobAssigned'],
		['odd jobStatus', '{"jobId":3,"eventType":"JobStarted","jobStatus":"<b>x</b>"}', 'jobStatus must be a status name such as Assigned'],
		['65-character jobStatus', `{"jobId":3,"eventType":"JobStarted","jobStatus":"S${'x'.repeat(64)}"}`, 'jobStatus must be a status name such as Assigned'],
		['numeric jobStatus', '{"jobId":3,"eventType":"JobStarted","jobStatus":2}', 'jobStatus must be a string when present'],
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

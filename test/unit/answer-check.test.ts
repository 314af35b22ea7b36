import { describeUnexpected, inspectAnswer, isJsonType, SUCCESS_ENVELOPE, type AnswerShape } from '../../nodes/shared/transport/answers';
import { ANSWER_MAX_BYTES, keepingSignal } from '../../nodes/shared/transport/limits';
import { keptBody } from '../../nodes/shared/transport/outcome';
import { ANSWER_LIMITS } from '../../nodes/shared/transport/errors';
import { sharedCall } from '../../nodes/shared/transport/sharedCall';
import { readTokens } from '../../nodes/shared/transport/loginAnswer';

const status: AnswerShape = { expected: '{ jobId, status }', required: { jobId: 'id', status: 'text' } };
const json = 'application/json; charset=utf-8';

describe('inspectAnswer', () => {
	it('accepts the promised JSON object', () => {
		expect(inspectAnswer({ status: 200, contentType: json, body: { jobId: 3, status: 'New' } }, status)).toEqual({ ok: true, value: { jobId: 3, status: 'New' } });
		// n8n gave the body alone: nothing to say about the content type, the shape still counts
		expect(inspectAnswer({ status: 200, body: { jobId: '3', status: 'New' } }, status).ok).toBe(true);
	});

	it.each([
		['a web page', { contentType: 'text/html', body: '<html>' }, 'that is not JSON'],
		['JSON sent as a web page', { contentType: 'text/html', body: { jobId: 3, status: 'New' } }, 'that is not JSON'],
		['no content type', { contentType: '', body: { jobId: 3, status: 'New' } }, 'without a content type'],
		['an empty body', { contentType: json, body: '' }, 'with an empty body'],
		['nothing at all', { contentType: '', body: undefined }, 'with an empty body'],
		['null', { contentType: json, body: null }, 'that is not a JSON object'],
		['a list', { contentType: json, body: [{ jobId: 3 }] }, 'that is not a JSON object'],
		['a missing field', { contentType: json, body: { jobId: 3 } }, 'without a valid status'],
		['an answer over the cap (read by n8n)', { contentType: json, body: { jobId: 3, status: 'New', padding: 'x'.repeat(ANSWER_MAX_BYTES) } }, `more than the ${ANSWER_MAX_BYTES} bytes kept (cut)`],
		['an answer cut while read', { contentType: json, body: '{"jobId":3,"status":"New","padding":"xxx', cut: true }, `of more than ${ANSWER_MAX_BYTES} bytes (cut: no more was read)`],
	])('refuses %s', (_, answer, problem) => {
		const checked = inspectAnswer({ status: 200, ...answer }, status);
		expect(checked.ok).toBe(false);
		expect(!checked.ok && checked.problem).toContain(problem);
	});

	it('takes the success envelope with any code that is not a vendor error code', () => {
		expect(inspectAnswer({ status: 200, contentType: json, body: { code: 'SUCCESS', message: 'ok' } }, SUCCESS_ENVELOPE).ok).toBe(true);
		expect(inspectAnswer({ status: 200, contentType: json, body: { code: 'DONE', message: 'ok' } }, SUCCESS_ENVELOPE).ok).toBe(true);
		for (const body of [{ code: 'CUT_OFF_EXCEEDED', message: 'too late' }, { message: 'ok' }, { code: 'SUCCESS' }, {}]) {
			expect(inspectAnswer({ status: 200, contentType: json, body }, SUCCESS_ENVELOPE).ok).toBe(false);
		}
	});

	it('knows JSON content types', () => {
		for (const type of ['application/json', 'Application/JSON; charset=utf-8', 'application/problem+json']) expect(isJsonType(type)).toBe(true);
		for (const type of ['text/html', 'text/json', 'application/jsonp', '']) expect(isJsonType(type)).toBe(false);
	});
});

describe('describeUnexpected', () => {
	it('names the call, status, content type and the first characters, and what may have happened', () => {
		const page = `<html>${'y'.repeat(5_000)}</html>`;
		const described = describeUnexpected({ status: 200, contentType: 'text/html', body: page }, 'that is not JSON', {
			method: 'POST',
			path: '/jobs',
			effect: 'create',
			expected: '{ jobId }',
			attempts: 1,
		});
		expect(described.message).toBe('G2 Sentry answered something unexpected to POST /jobs');
		expect(described.description).toMatch(/^HTTP 200 \(text\/html\) that is not JSON, after 1 attempt\(s\)\. Expected \{ jobId \}; the answer began "<html>y+… \(5013 characters\)"\. The job may have been created/);
		expect(described.description.length).toBeLessThan(800);
	});
});

describe('keptBody (what an error keeps of an answer)', () => {
	it('keeps a small JSON body whole and only the start of a large one', () => {
		expect(keptBody({ code: 'X' })).toEqual({ code: 'X' });
		const large = { code: 'X', errors: Array.from({ length: 10_000 }, (_, i) => ({ fieldName: `f${i}`, message: 'bad' })) };
		const kept = keptBody(large) as unknown as string;
		expect(typeof kept).toBe('string');
		expect(kept.length).toBeLessThan(ANSWER_LIMITS.rawBody + 40);
		expect(kept).toMatch(/… \(\d+ characters\)$/);
	});
});

describe('keepingSignal', () => {
	it('adds a signal n8n assigns to the node own one instead of replacing it', () => {
		const own = new AbortController();
		const execution = new AbortController();
		const options = keepingSignal({ url: 'x' }, own.signal);
		expect(options.abortSignal).toBe(own.signal);
		options.abortSignal = execution.signal; // what n8n's httpRequestWithAuthentication does
		expect(options.abortSignal.aborted).toBe(false);
		own.abort();
		expect(options.abortSignal.aborted).toBe(true);
		expect({ ...options }.abortSignal.aborted).toBe(true);

		const other = keepingSignal({}, new AbortController().signal);
		const cancel = new AbortController();
		other.abortSignal = cancel.signal;
		cancel.abort();
		expect(other.abortSignal.aborted).toBe(true);
	});
});

describe('sharedCall with a run limit', () => {
	it('lets waiters stop waiting for a call that hangs, and the next caller starts afresh', async () => {
		let now = 1_000;
		const hung = sharedCall('hang', 0, () => new Promise<string>(() => {}), { runMs: 50, now: () => now });
		expect(hung.joined).toBe(false);
		const waiter = sharedCall('hang', 0, async () => 'unused', { runMs: 50, now: () => now });
		expect(waiter.joined).toBe(true);
		await expect(waiter.result).rejects.toMatchObject({ name: 'DeadlineError' });
		now += 51;
		const fresh = sharedCall('hang', 0, async () => 'fresh', { runMs: 50, now: () => now });
		expect(fresh.joined).toBe(false);
		expect(await fresh.result).toBe('fresh');
	});
});

describe('readTokens (login and refresh answers)', () => {
	const full = (contentType: string, body: unknown) => ({ statusCode: 200, headers: { 'content-type': contentType }, body });
	it('takes tokens only from a JSON answer that holds two token-like texts', () => {
		expect(readTokens(full('application/json', { accessToken: 'a.b.c', refreshToken: 'r-1' }))).toEqual({ tokens: { accessToken: 'a.b.c', refreshToken: 'r-1' } });
		expect(readTokens(full('text/html', '<html>Sign in</html>'))).toEqual({ problem: 'a text/html answer' });
		expect(readTokens(full('text/html; charset=utf-8', { accessToken: 'a', refreshToken: 'r' }))).toEqual({ problem: 'a text/html answer' });
		expect(readTokens({ statusCode: 200, headers: {}, body: { accessToken: 'a', refreshToken: 'r' } })).toEqual({ problem: 'a body without content type answer' });
		for (const body of [{ accessToken: '<html>', refreshToken: 'r' }, { accessToken: 'a b', refreshToken: 'r' }, { accessToken: 'a' }, { accessToken: 'x'.repeat(9_000), refreshToken: 'r' }, 'a.b.c']) {
			expect(readTokens(full('application/json', body))).toEqual({ problem: 'a JSON answer without tokens' });
		}
	});
});

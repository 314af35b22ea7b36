import { NodeApiError, type INode } from 'n8n-workflow';

import { G2SentryAuthError, explainLoginFailure } from '../../nodes/shared/transport/authFailure';
import { ANSWER_LIMITS, describeFailure, readEnvelope, toNodeApiError, type Effect, type RequestInfo, type Subject } from '../../nodes/shared/transport/errors';
import { readAnswer, readThrown } from '../../nodes/shared/transport/outcome';

const node: INode = {
	id: '1',
	name: 'G2 Sentry',
	type: 'n8n-nodes-g2sentry.g2Sentry',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const base = 'http://127.0.0.1:4010/api/v1';
const req = (effect: Effect, subject: Subject = {}): RequestInfo => ({ baseUrl: base, effect, subject });

describe('describeFailure', () => {
	it('lists every per-field error of a 400', () => {
		const body = {
			code: 'VALIDATION_ERROR',
			message: 'Invalid request',
			errors: [
				{ fieldName: 'location.address.zip', message: 'must be 5 or 9 digits' },
				{ fieldName: 'name', message: 'too long' },
			],
		};
		const d = describeFailure({ kind: 'http', status: 400 }, body, req('create'));
		expect(d.message).toBe('G2 Sentry rejected the request: location.address.zip: must be 5 or 9 digits; name: too long');
		expect(d.description).toContain('[VALIDATION_ERROR]');
		expect(d.description).toContain('• name: too long');
		expect(d.fieldErrors).toHaveLength(2);
		expect(d.httpCode).toBe('400');
		expect(d.code).toBe('VALIDATION_ERROR');
	});

	it('keeps a flood of field errors and a huge vendor message readable', () => {
		const errors = Array.from({ length: 500 }, (_, i) => ({ fieldName: `f${i}`, message: 'bad' }));
		const d = describeFailure({ kind: 'http', status: 400 }, { code: 'VALIDATION_ERROR', message: 'm'.repeat(10_000), errors }, req('create'));
		expect(d.message).toBe('G2 Sentry rejected the request: f0: bad; f1: bad; f2: bad; f3: bad; f4: bad (and 495 more)');
		expect(d.fieldErrors).toHaveLength(ANSWER_LIMITS.fieldErrors);
		expect(d.description).toContain(`${'m'.repeat(ANSWER_LIMITS.text)}… (10000 characters)`);
		expect(d.description).toMatch(/• f49: bad\n• … and 450 more$/);
	});

	it('says "not found or not yours" on a 404', () => {
		const d = describeFailure({ kind: 'http', status: 404 }, { code: 'NOT_FOUND', message: 'Job not found' }, req('read', { jobId: 77 }));
		expect(d.message).toBe('Job 77 was not found, or it belongs to another partner account');
		expect(d.description).toContain('G2 Sentry says: "Job not found"');
	});

	it('explains the cut-off on a 422 CUT_OFF_EXCEEDED, and other 422s in their own words', () => {
		const cut = describeFailure({ kind: 'http', status: 422 }, { code: 'CUT_OFF_EXCEEDED', message: 'Past cut-off' }, req('change', { jobId: 5 }));
		expect(cut.message).toBe('Too late to change job 5: the 2-hour cut-off before the scheduled start has passed');
		expect(cut.code).toBe('CUT_OFF_EXCEEDED');
		const state = describeFailure(
			{ kind: 'http', status: 422 },
			{ code: 'INVALID_JOB_STATE', message: 'Job is not completed' },
			req('change', { jobId: 5 }),
		);
		expect(state.message).toBe('G2 Sentry refused to change job 5: Job is not completed');
		const cancel = describeFailure({ kind: 'http', status: 422 }, { code: 'INVALID_JOB_STATE', message: 'Completed' }, req('change', { jobId: 5 }));
		expect(cancel.message).toBe('G2 Sentry refused to change job 5: Completed');
		const read = describeFailure({ kind: 'http', status: 422 }, { code: 'X', message: 'Not now' }, req('read', { jobId: 5 }));
		expect(read.message).toBe('G2 Sentry refused the request for job 5: Not now');
	});

	it('tells the user a create that failed on the server side may exist and was not repeated', () => {
		const d = describeFailure({ kind: 'http', status: 503 }, '', req('create'), { retry: false, reason: 'fateUnknown' });
		expect(d.message).toBe('G2 Sentry had a problem on its side (HTTP 503)');
		expect(d.description).toMatch(/may or may not have been created\. It was NOT sent again/);
		const net = describeFailure({ kind: 'network', code: 'ECONNRESET' }, undefined, req('create'), {
			retry: false,
			reason: 'fateUnknown',
		});
		expect(net.message).toBe('Could not reach G2 Sentry at http://127.0.0.1:4010');
		expect(net.description).toMatch(/ECONNRESET.*may or may not have been created/);
	});

	it('covers 401, 403 and 429', () => {
		expect(describeFailure({ kind: 'http', status: 401 }, {}, req('read', { jobId: 1 })).message).toBe(
			'G2 Sentry did not accept the credential',
		);
		expect(describeFailure({ kind: 'http', status: 403 }, {}, req('read', { jobId: 1 })).message).toMatch(/forbidden/);
		expect(describeFailure({ kind: 'http', status: 429 }, {}, req('read', { jobId: 1 }), undefined, 6).description).toMatch(
			/waited 5 time/,
		);
	});

	it('reads envelopes given as text and ignores non-envelopes', () => {
		expect(readEnvelope('{"code":"X","message":"m"}')).toEqual({ code: 'X', message: 'm', errors: undefined });
		expect(readEnvelope('<html>')).toEqual({});
		expect(readEnvelope([1])).toEqual({});
	});
});

describe('toNodeApiError', () => {
	it('keeps our message word for word, with item index, vendor code and field errors', () => {
		const d = describeFailure({ kind: 'network', code: 'ECONNREFUSED' }, undefined, req('read', { jobId: 1 }));
		const error = toNodeApiError(node, d, { code: 'ECONNREFUSED' }, 3);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Could not reach G2 Sentry at http://127.0.0.1:4010');
		expect(error.context.itemIndex).toBe(3);
		expect(error.context.code).toBe('ECONNREFUSED');
		const withFields = toNodeApiError(
			node,
			describeFailure({ kind: 'http', status: 400 }, { errors: [{ fieldName: 'name', message: 'bad' }] }, req('create')),
			{},
			0,
		);
		expect(withFields.httpCode).toBe('400');
		expect(withFields.context.fieldErrors).toEqual([{ fieldName: 'name', message: 'bad' }]);
	});
});

describe('readThrown (errors as n8n throws them from httpRequestWithAuthentication)', () => {
	const httpError = (status: number, data: unknown, headers: Record<string, string> = {}) => {
		const axiosLike = Object.assign(new Error(`Request failed with status code ${status}`), {
			isAxiosError: true,
			response: { status, data, headers },
		});
		return new NodeApiError(node, axiosLike as never);
	};

	it('reads status, body and Retry-After through the NodeApiError', () => {
		const out = readThrown(httpError(429, { code: 'RATE_LIMIT_EXCEEDED' }, { 'retry-after': '2' }), 0);
		expect(out.failure).toEqual({ kind: 'http', status: 429, retryAfterMs: 2000 });
		expect(out.body).toEqual({ code: 'RATE_LIMIT_EXCEEDED' });
	});

	it('keeps only the start of a web page answered instead of JSON', () => {
		const page = `<html>${'<p>Bad gateway</p>'.repeat(50_000)}</html>`;
		const out = readThrown(httpError(502, page), 0);
		expect(out.failure).toEqual({ kind: 'http', status: 502 });
		expect(String(out.raw.body).length).toBeLessThan(ANSWER_LIMITS.rawBody + 40);
		expect(out.raw.body).toMatch(new RegExp(`^<html><p>Bad gateway.*… \\(${page.length} characters\\)$`));
	});

	it('finds network codes in the cause chain', () => {
		const socket = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		expect(readThrown(new NodeApiError(node, socket as never), 0).failure).toEqual({ kind: 'network', code: 'ECONNRESET' });
		expect(readThrown(new Error('other side closed'), 0).failure).toEqual({ kind: 'network', code: 'ECONNRESET' });
	});

	it('recognises a failed login and keeps its message', () => {
		const auth = explainLoginFailure({ response: { status: 401 } }, base);
		const out = readThrown(new NodeApiError(node, auth as never), 0);
		expect(out.authFinal).toBe(true);
		expect(out.authMessage?.message).toMatch(/did not accept the partner key and secret/);
	});
});

describe('readAnswer (answers n8n returns as a value with returnFullResponse + ignoreHttpStatusErrors)', () => {
	it('takes a 2xx as success and reads status, body and Retry-After (any header case) of the rest', () => {
		expect(readAnswer({ statusCode: 201, headers: {}, body: { jobId: 4 } }, 0)).toEqual({ ok: true, status: 201, body: { jobId: 4 }, contentType: '' });
		expect(readAnswer({ statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>' }, 0)).toMatchObject({ ok: true, contentType: 'text/html' });
		const limited = readAnswer({ statusCode: 429, headers: { 'Retry-After': '3' }, body: { code: 'RATE_LIMIT_EXCEEDED' } }, 0);
		expect(limited).toMatchObject({ ok: false, failure: { kind: 'http', status: 429, retryAfterMs: 3000 }, body: { code: 'RATE_LIMIT_EXCEEDED' } });
		expect(readAnswer({ statusCode: 422, body: { code: 'CUT_OFF_EXCEEDED' } }, 0)).toMatchObject({
			ok: false,
			failure: { kind: 'http', status: 422 },
			raw: { httpCode: '422', body: { code: 'CUT_OFF_EXCEEDED' } },
		});
	});
});

describe('explainLoginFailure', () => {
	it.each([
		[{ code: 'ENOTFOUND' }, 'unreachable', /Could not find the server 127\.0\.0\.1:4010/],
		[{ code: 'ECONNREFUSED' }, 'unreachable', /Nothing is answering at http:\/\/127\.0\.0\.1:4010/],
		[{ response: { status: 401 } }, 'rejected', /did not accept the partner key and secret/],
		[{ response: { status: 404 } }, 'notG2Sentry', /not like the G2 Sentry Partner API/],
		[{ response: { status: 503 } }, 'serverError', /server error 503/],
	])('explains %p', (error, reason, message) => {
		const explained = explainLoginFailure(error, base);
		expect(explained).toBeInstanceOf(G2SentryAuthError);
		expect(explained.authFailure.reason).toBe(reason);
		expect(explained.message).toMatch(message);
		expect(explained).not.toHaveProperty('code');
	});
});

/**
 * Reading an answer's body up to the cap (nodes/shared/transport/answerBody.ts) from real Node.js
 * streams: what is kept, when the stream is destroyed, and how errors' bodies are read once.
 */
import { PassThrough, Readable } from 'node:stream';

import { BodyCutShortError, readBody, readCapped, readErrorBodies, releaseErrorBodies } from '../../nodes/shared/transport/answerBody';
import { ANSWER_MAX_BYTES } from '../../nodes/shared/transport/limits';

/** A stream that produces `total` bytes of 'x' in 16 KiB chunks on demand, counting what it produced. */
function endless(total = Number.POSITIVE_INFINITY) {
	const state = { produced: 0 };
	const stream = new Readable({
		read() {
			if (state.produced >= total) {
				this.push(null);
				return;
			}
			const size = Math.min(16 * 1024, total - state.produced);
			state.produced += size;
			this.push(Buffer.alloc(size, 'x'));
		},
	});
	return { stream, state };
}

describe('readCapped', () => {
	it('reads a body to its end and parses its JSON', async () => {
		const read = await readBody(Readable.from([Buffer.from('{"jobId":'), Buffer.from('12,"status":"New"}')]));
		expect(read).toEqual({ body: { jobId: 12, status: 'New' }, cut: false });
	});

	it('keeps text that is not JSON as text, and an empty body as empty text', async () => {
		expect(await readBody(Readable.from([Buffer.from('<html>')]))).toEqual({ body: '<html>', cut: false });
		expect(await readBody(Readable.from([]))).toEqual({ body: '', cut: false });
	});

	it('stops at the cap, destroys the stream and keeps exactly the cap', async () => {
		const { stream, state } = endless();
		const read = await readCapped(stream);
		expect(read.cut).toBe(true);
		expect(read.text).toHaveLength(ANSWER_MAX_BYTES);
		expect(stream.destroyed).toBe(true);
		expect(state.produced).toBeLessThan(ANSWER_MAX_BYTES + 64 * 1024);
	});

	it('a body of exactly the cap is whole', async () => {
		const { stream } = endless(ANSWER_MAX_BYTES);
		expect(await readCapped(stream)).toMatchObject({ cut: false });
	});

	it('runs `release` before letting go of a cut stream', async () => {
		const { stream } = endless();
		const order: string[] = [];
		stream.on('close', () => order.push('closed'));
		await readCapped(stream, undefined, () => {
			order.push('released');
			stream.destroy();
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(order).toEqual(['released', 'closed']);
	});

	it('rejects with the reason and destroys the stream when the signal aborts', async () => {
		const stream = new PassThrough();
		stream.write('{"jobId":');
		const stop = new AbortController();
		const reading = readCapped(stream, stop.signal);
		stop.abort(new Error('deadline'));
		await expect(reading).rejects.toThrow('deadline');
		expect(stream.destroyed).toBe(true);
	});

	it('rejects at once on a signal already aborted', async () => {
		const stream = new PassThrough();
		await expect(readCapped(stream, AbortSignal.abort(new Error('cancelled')))).rejects.toThrow('cancelled');
		expect(stream.destroyed).toBe(true);
	});

	it('a connection that closes before the body ends is a reset, not an answer', async () => {
		const stream = new PassThrough();
		const reading = readCapped(stream);
		stream.write('{"jobId":');
		stream.destroy();
		await expect(reading).rejects.toBeInstanceOf(BodyCutShortError);
		await expect(reading).rejects.toMatchObject({ code: 'ECONNRESET' });
	});

	it('takes a body that is not a stream as it came', async () => {
		expect(await readBody({ jobId: 1 })).toEqual({ body: { jobId: 1 }, cut: false });
	});
});

describe("an error's body", () => {
	it('is read once wherever it sits (the HTTP error and n8n context.data), and replaced by what was read', async () => {
		const stream = Readable.from([Buffer.from('{"code":"CUT_OFF_EXCEEDED","message":"too late"}')]);
		const httpError = { response: { status: 422, data: stream } };
		const error = { context: { data: stream }, cause: httpError };
		await readErrorBodies(error, new AbortController().signal);
		expect(httpError.response.data).toEqual({ code: 'CUT_OFF_EXCEEDED', message: 'too late' });
		expect(error.context.data).toEqual({ code: 'CUT_OFF_EXCEEDED', message: 'too late' });
	});

	it('keeps only the start of one too long', async () => {
		const { stream } = endless();
		const error = { response: { status: 500, data: stream } };
		await readErrorBodies(error);
		expect(error.response.data).toHaveLength(ANSWER_MAX_BYTES);
		expect(stream.destroyed).toBe(true);
	});

	it('is let go unread where only the status matters', () => {
		const { stream, state } = endless();
		const error = { response: { status: 401, data: stream } };
		releaseErrorBodies(error);
		expect(stream.destroyed).toBe(true);
		expect(error.response.data).toBeUndefined();
		expect(state.produced).toBeLessThan(ANSWER_MAX_BYTES);
	});
});

import { sharedCall } from '../../nodes/shared/transport/sharedCall';

const deferred = <T>() => {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
	return { promise, resolve, reject };
};

describe('sharedCall', () => {
	it('gives callers that come while the call runs its result, without calling again', async () => {
		const pending = deferred<string>();
		const call = jest.fn(() => pending.promise);
		const first = sharedCall('k1', 1_000, call);
		const second = sharedCall('k1', 1_000, call);
		expect(first.joined).toBe(false);
		expect(second.joined).toBe(true);
		pending.resolve('tokens');
		await expect(Promise.all([first.result, second.result])).resolves.toEqual(['tokens', 'tokens']);
		expect(call).toHaveBeenCalledTimes(1);
	});

	it('hands a success out for keepMs after it settled, then calls again', async () => {
		let now = 0;
		let calls = 0;
		const call = jest.fn(async () => `call ${++calls}`);
		await sharedCall('k2', 2_000, call, { now: () => now }).result;
		now = 1_999;
		expect(await sharedCall('k2', 2_000, call, { now: () => now }).result).toBe('call 1');
		now = 2_000;
		expect(await sharedCall('k2', 2_000, call, { now: () => now }).result).toBe('call 2');
		expect(call).toHaveBeenCalledTimes(2);
	});

	it('forgets a failure at once: those waiting get it, the next caller tries for itself', async () => {
		const pending = deferred<string>();
		const waiting = sharedCall('k3', 1_000, () => pending.promise);
		const joined = sharedCall('k3', 1_000, () => Promise.resolve('never'));
		pending.reject(new Error('refused'));
		await expect(waiting.result).rejects.toThrow('refused');
		await expect(joined.result).rejects.toThrow('refused');
		const next = sharedCall('k3', 1_000, async () => 'fresh');
		expect(next.joined).toBe(false);
		await expect(next.result).resolves.toBe('fresh');
	});

	it('keeps keys apart', async () => {
		const a = sharedCall('ka', 1_000, async () => 'a');
		const b = sharedCall('kb', 1_000, async () => 'b');
		expect(b.joined).toBe(false);
		await expect(Promise.all([a.result, b.result])).resolves.toEqual(['a', 'b']);
	});
});

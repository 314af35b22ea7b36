/**
 * The transport's back-off between tries of a call whose answer was lost (a 5xx, a dropped
 * connection, a deadline, an answer that is not the promised one: RETRY_POLICY.transient in
 * nodes/shared/transport/retryPolicy.ts) is 1 s, 2 s, 4 s: 7 s of sleeping per call that fails
 * every try, which made a few in-process suites take minutes. Suites that count tries, read the
 * messages or prove what is sent again call `useShortBackoff()`: the same tries, in the same
 * order, with the waits divided by SHORT_BACKOFF_DIVISOR, in the spirit of configureDeadlines in
 * nodes/shared/transport/limits.ts. The 429 back-off is left alone: those suites race a real
 * rate window of the sandbox. The real waits are proved by test/unit/retry-policy.test.ts and the
 * e2e suites, where n8n runs the package unchanged.
 */
import { RETRY_POLICY } from '../../nodes/shared/transport/retryPolicy';

export const SHORT_BACKOFF_DIVISOR = 100;

/** The back-off in force, writable (RETRY_POLICY is read-only in its type only). */
const transientBackoff = RETRY_POLICY.transient.backoffMs as unknown as number[];
const realBackoff = [...transientBackoff];

/** The transient back-off while this file's tests run: the real one divided by SHORT_BACKOFF_DIVISOR. */
export const shortBackoffMs = realBackoff.map((ms) => ms / SHORT_BACKOFF_DIVISOR);

export function useShortBackoff(): void {
	beforeAll(() => {
		transientBackoff.splice(0, transientBackoff.length, ...shortBackoffMs);
	});
	afterAll(() => {
		transientBackoff.splice(0, transientBackoff.length, ...realBackoff);
	});
}

export interface SessionFixture {
	sandbox: Sandbox;
	/** the default partner, logged in */
	session: PartnerSession;
}

/**
 * Jest fixture: a sandbox with manual dispatch (unless options say otherwise) and the default
 * partner logged in, fresh for each test or, with scope 'all', one for the whole describe block.
 */
export function useSandboxSession(options: SandboxStartOptions = {}, scope: 'each' | 'all' = 'each'): SessionFixture {
	const fixture = {} as SessionFixture;
	const [before, after] = scope === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
	before(async () => {
		fixture.sandbox = await startSandbox({ autoDispatch: false, ...options });
		fixture.session = await PartnerSession.login(fixture.sandbox);
	});
	after(() => fixture.sandbox.close());
	return fixture;
}

/**
 * Jest fixture: before each test, an independent callback receiver and a sandbox posting to it
 * (manual dispatch, ×1000 clock), with a logged-in default partner; both closed after the test.
 */
import { startSandbox, type Sandbox, type SandboxStartOptions } from '../sandbox';
import { startCallbackReceiver, type CallbackReceiver } from './callbackReceiver';
import { control, PartnerSession, type HttpResult } from './sandboxClient';

export interface ReceiverFixture {
	sandbox: Sandbox;
	receiver: CallbackReceiver;
	session: PartnerSession;
	/** one control-API transition of a job */
	move(jobId: number, to: string): Promise<HttpResult>;
}

/** The receiver checks signatures with the sandbox's documented default callback secret. */
export function useSandboxWithReceiver(options: SandboxStartOptions = {}): ReceiverFixture {
	const fixture = {
		move: (jobId: number, to: string) => control(fixture.sandbox, 'POST', `/jobs/${jobId}/transition`, { to }),
	} as ReceiverFixture;
	beforeEach(async () => {
		fixture.receiver = await startCallbackReceiver('sandbox-callback-secret');
		fixture.sandbox = await startSandbox({ autoDispatch: false, timeScale: 1000, callbackUrl: fixture.receiver.url, ...options });
		fixture.session = await PartnerSession.login(fixture.sandbox);
	});
	afterEach(async () => {
		await fixture.sandbox.close();
		await fixture.receiver.close();
	});
	return fixture;
}

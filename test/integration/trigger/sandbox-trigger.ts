/**
 * A sandbox whose callbacks go to a trigger server (webhook() through n8n-core), for the tests
 * that follow real deliveries: the credential points at the sandbox and shares its callback secret.
 */
import { startSandbox, type DeliveryAttempt, type Sandbox, type SandboxStartOptions } from '../../../lab/sandbox';
import { control, PartnerSession } from '../../../lab/helpers/sandboxClient';
import { startTriggerServer, type TriggerServer, type TriggerServerOptions } from '../../../lab/helpers/webhook-context';

export const SANDBOX_CALLBACK_SECRET = 'sandbox-callback-secret';

export interface SandboxTrigger {
	sandbox: Sandbox;
	trigger: TriggerServer;
	/** logged in as the sandbox's default partner */
	session: PartnerSession;
	/** moves a job along the lifecycle through the control API (the callback fires as in reality) */
	move(jobId: number, to: string): Promise<void>;
	withdraw(jobId: number): Promise<void>;
	/** every delivery attempt the sandbox made */
	deliveries(): Promise<DeliveryAttempt[]>;
	/** the whole lifecycle (Assigned, InProgress, Completed) of several jobs at once */
	runLifecycles(jobIds: number[]): Promise<void>;
}

/** Jest fixture: the returned function wires a sandbox to a trigger; both are closed after each test. */
export function useSandboxTrigger(): (
	sandboxOptions?: SandboxStartOptions,
	triggerOptions?: TriggerServerOptions,
) => Promise<SandboxTrigger> {
	let current: SandboxTrigger | undefined;
	afterEach(async () => {
		await current?.sandbox.close();
		await current?.trigger.close();
		current = undefined;
	});
	return async (sandboxOptions = {}, triggerOptions = {}) => {
		const sandbox = await startSandbox({ autoDispatch: false, timeScale: 1000, ...sandboxOptions });
		const credentials = {
			environment: 'custom',
			baseUrl: sandbox.baseUrl,
			...sandbox.partner,
			callbackSecret: SANDBOX_CALLBACK_SECRET,
			...triggerOptions.credentials,
		};
		const trigger = await startTriggerServer({ ...triggerOptions, credentials });
		sandbox.configure({ callbackUrl: trigger.url });
		const controlled = async (path: string, body?: unknown) => {
			const res = await control(sandbox, 'POST', path, body);
			if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
		};
		const move = (jobId: number, to: string) => controlled(`/jobs/${jobId}/transition`, { to });
		current = {
			sandbox,
			trigger,
			session: await PartnerSession.login(sandbox),
			move,
			withdraw: (jobId) => controlled(`/jobs/${jobId}/withdraw`),
			deliveries: async () => (await control(sandbox, 'GET', '/deliveries')).body as DeliveryAttempt[],
			runLifecycles: async (jobIds) => {
				await Promise.all(
					jobIds.map(async (jobId) => {
						for (const to of ['Assigned', 'InProgress', 'Completed']) await move(jobId, to);
					}),
				);
			},
		};
		return current;
	};
}

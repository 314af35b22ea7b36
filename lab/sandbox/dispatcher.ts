/**
 * Simulated Guardians: accept, start and complete each job on a clock sped up by timeScale, and
 * now and then (chaos.withdrawRate) withdraw before the cut-off, putting the job back to New.
 * Only ever moves jobs through JobStore.transition, so the contract's transitions hold.
 */
import type { JobStatus } from '../../nodes/shared/contract';
import type { SandboxOptions } from './options';
import type { JobState, JobStore } from './store';

/** A Guardian withdraws at most this often from one job, so withdrawRate 1 still ends. */
const MAX_WITHDRAWALS_PER_JOB = 2;

export interface PlannedStep {
	to: JobStatus;
	at: string;
}

export class Dispatcher {
	private timers = new Map<number, { timer: NodeJS.Timeout; step: PlannedStep }>();

	constructor(
		private readonly store: JobStore,
		private readonly config: () => SandboxOptions,
		private readonly random: () => number,
	) {}

	/** Plans the next Guardian action for a job (replacing any planned one). */
	plan(job: JobState): void {
		this.cancel(job.jobId);
		const config = this.config();
		if (!config.autoDispatch) return;
		const next = this.nextStep(job, config);
		if (!next) return;
		const delay = next.afterMs / config.timeScale;
		const step = { to: next.to, at: new Date(Date.now() + delay).toISOString() };
		const timer = setTimeout(() => {
			this.timers.delete(job.jobId);
			// the world may have moved on (a cancel, a control transition): re-check before acting
			if (job.status !== next.from) return;
			if (next.to === 'New' && this.store.insideCutOff(job)) {
				this.plan(job);
				return;
			}
			this.store.transition(job.jobId, next.to, 'dispatcher');
		}, delay);
		timer.unref();
		this.timers.set(job.jobId, { timer, step });
	}

	planned(jobId: number): PlannedStep | null {
		return this.timers.get(jobId)?.step ?? null;
	}

	cancel(jobId: number): void {
		const entry = this.timers.get(jobId);
		if (entry) clearTimeout(entry.timer);
		this.timers.delete(jobId);
	}

	/** After autoDispatch changes: stop everything, or plan every open job. */
	replanAll(): void {
		for (const job of this.store.list()) this.plan(job);
	}

	stop(): void {
		for (const { timer } of this.timers.values()) clearTimeout(timer);
		this.timers.clear();
	}

	private nextStep(job: JobState, config: SandboxOptions): { from: JobStatus; to: JobStatus; afterMs: number } | null {
		const d = config.dispatch;
		switch (job.status) {
			case 'New':
				return { from: 'New', to: 'Assigned', afterMs: d.acceptAfterMs };
			case 'Assigned': {
				const withdrawals = job.withdrawnGuardianIds.length;
				const withdraw =
					config.chaos.withdrawRate > 0 &&
					withdrawals < MAX_WITHDRAWALS_PER_JOB &&
					!this.store.insideCutOff(job) &&
					this.random() < config.chaos.withdrawRate;
				return withdraw
					? { from: 'Assigned', to: 'New', afterMs: d.withdrawAfterMs }
					: { from: 'Assigned', to: 'InProgress', afterMs: d.startAfterMs };
			}
			case 'InProgress':
				return { from: 'InProgress', to: 'Completed', afterMs: d.completeAfterMs };
			default:
				return null;
		}
	}
}

/** In-memory jobs and the only code that changes a job's status (along the contract's transitions). */
import {
	ALLOWED_TRANSITIONS,
	CUT_OFF_MS,
	type JobCreate,
	type JobStatus,
	type JobUpdate,
} from '../../nodes/shared/contract';
import { pickGuardian } from './guardians';

/** Who moved a job: the partner (cancel), the simulated Guardians, or a test through /_control. */
export type Actor = 'partner' | 'dispatcher' | 'control';

export interface JobState {
	jobId: number;
	partnerKey: string;
	status: JobStatus;
	guardianId: number | null;
	job: JobCreate;
	review: { rate: number; review?: string; at: string } | null;
	/** Guardians who withdrew; the next assignment prefers someone else */
	withdrawnGuardianIds: number[];
	createdAt: string;
	updatedAt: string;
	history: { from: JobStatus | null; to: JobStatus; at: string; by: Actor }[];
}

export interface TransitionEvent {
	job: JobState;
	from: JobStatus;
	to: JobStatus;
	by: Actor;
}

export type TransitionResult = { ok: true; job: JobState } | { ok: false; allowed: readonly JobStatus[] };

export class JobStore {
	private jobs = new Map<number, JobState>();
	/** ids keep rising across resets so dedupe keys from one test never collide with the next */
	private nextId = 1001;
	private assignments = 0;
	private listeners: ((event: TransitionEvent) => void)[] = [];

	constructor(private readonly now: () => number = Date.now) {}

	onTransition(listener: (event: TransitionEvent) => void): void {
		this.listeners.push(listener);
	}

	create(partnerKey: string, job: JobCreate): JobState {
		const at = new Date(this.now()).toISOString();
		const state: JobState = {
			jobId: this.nextId++,
			partnerKey,
			status: 'New',
			guardianId: null,
			job,
			review: null,
			withdrawnGuardianIds: [],
			createdAt: at,
			updatedAt: at,
			history: [{ from: null, to: 'New', at, by: 'partner' }],
		};
		this.jobs.set(state.jobId, state);
		return state;
	}

	get(jobId: number): JobState | undefined {
		return this.jobs.get(jobId);
	}

	/** A job as its partner sees it: another partner's job is indistinguishable from none. */
	getForPartner(jobId: number, partnerKey: string): JobState | undefined {
		const job = this.jobs.get(jobId);
		return job && job.partnerKey === partnerKey ? job : undefined;
	}

	list(): JobState[] {
		return [...this.jobs.values()];
	}

	insideCutOff(job: JobState): boolean {
		return Date.parse(job.job.whenDate) - this.now() < CUT_OFF_MS;
	}

	transition(jobId: number, to: JobStatus, by: Actor): TransitionResult {
		const job = this.jobs.get(jobId);
		if (!job) return { ok: false, allowed: [] };
		const from = job.status;
		const allowed = ALLOWED_TRANSITIONS[from];
		if (!allowed.includes(to)) return { ok: false, allowed };
		if (to === 'Assigned') {
			job.guardianId = pickGuardian(this.assignments++, job.withdrawnGuardianIds).guardianId;
		} else if (to === 'New' || to === 'Canceled') {
			if (to === 'New' && job.guardianId !== null) job.withdrawnGuardianIds.push(job.guardianId);
			job.guardianId = null;
		}
		job.status = to;
		job.updatedAt = new Date(this.now()).toISOString();
		job.history.push({ from, to, at: job.updatedAt, by });
		for (const listener of this.listeners) listener({ job, from, to, by });
		return { ok: true, job };
	}

	update(job: JobState, patch: JobUpdate): void {
		const { clientId, clientInfo, clientPhone, ...fields } = patch;
		Object.assign(job.job, fields);
		if (clientId !== undefined || clientInfo !== undefined || clientPhone !== undefined) {
			job.job.client = { ...job.job.client };
			if (clientId !== undefined) job.job.client.clientId = clientId;
			if (clientInfo !== undefined) job.job.client.clientInfo = clientInfo;
			if (clientPhone !== undefined) job.job.client.clientPhone = clientPhone;
		}
		job.updatedAt = new Date(this.now()).toISOString();
	}

	/** Control API: move the scheduled start so that the job is inside the cut-off. */
	moveStart(job: JobState, startsInMs: number): void {
		job.job.whenDate = new Date(this.now() + startsInMs).toISOString();
		job.updatedAt = new Date(this.now()).toISOString();
	}

	clear(): void {
		this.jobs.clear();
	}
}

/**
 * Signed callback POSTs with the vendor's retry schedule (divided by the time scale), plus the
 * chaos of a real delivery pipeline: duplicates and out-of-order arrival.
 */
import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import { CALLBACK_RETRY_DELAYS_MS, SIGNATURE_HEADER, type CallbackEvent } from '../../nodes/shared/contract';
import type { SandboxOptions } from './options';
import { shuffled } from './random';

export interface DeliveryAttempt {
	deliveryId: number;
	jobId: number;
	eventType: CallbackEvent;
	url: string | null;
	/** the exact bytes sent (UTF-8) */
	body: string;
	signature: string | null;
	/** 1 for the first try, 2..7 for the retries; duplicates repeat the attempt number they follow */
	attempt: number;
	duplicate: boolean;
	status: number | null;
	/** delivered: 2xx; failed: non-2xx or network error, retry scheduled; given-up: last retry failed;
	 * skipped: no callback URL configured */
	outcome: 'delivered' | 'failed' | 'given-up' | 'skipped';
	error?: string;
	nextAttemptAt?: string;
	startedAt: string;
	finishedAt: string;
}

interface Delivery {
	id: number;
	jobId: number;
	partnerKey: string;
	eventType: CallbackEvent;
	body: string;
	attempt: number;
}

export interface DelivererDeps {
	config: () => SandboxOptions;
	/** callback URL and secret for a partner's jobs (per-partner override, else sandbox-wide) */
	target: (partnerKey: string) => { url: string | null; secret: string };
	random: () => number;
}

/** Attempt records kept for /_control/deliveries (oldest dropped first in long CLI runs). */
const MAX_RECORDS = 10_000;

export function sign(body: Buffer | string, secret: string): string {
	return createHmac('sha256', secret).update(body).digest('hex');
}

export class Deliverer {
	readonly attempts: DeliveryAttempt[] = [];
	private nextId = 1;
	private timers = new Set<NodeJS.Timeout>();
	private batch: Delivery[] = [];
	private batchTimer: NodeJS.Timeout | null = null;
	private inFlight = new Set<Promise<void>>();
	private readonly agent = new Agent({ keepAliveTimeout: 1_000, connections: 16 });
	/** aborts callbacks still in flight when the sandbox closes (a hanging receiver must not hold it) */
	private readonly aborter = new AbortController();
	private closed = false;
	/** bumped by reset(): answers to attempts started before it are not recorded or retried */
	private generation = 0;

	constructor(private readonly deps: DelivererDeps) {}

	enqueue(jobId: number, partnerKey: string, eventType: CallbackEvent, payload: object): void {
		const pretty = this.deps.config().chaos.prettyCallbackBodies;
		const body = pretty ? JSON.stringify(payload, null, 2) : JSON.stringify(payload);
		const delivery: Delivery = { id: this.nextId++, jobId, partnerKey, eventType, body, attempt: 0 };
		const chaos = this.deps.config().chaos;
		if (!chaos.shuffleDeliveries) {
			this.send(delivery);
			return;
		}
		this.batch.push(delivery);
		this.batchTimer ??= this.later(chaos.shuffleWindowMs, () => {
			this.batchTimer = null;
			const held = this.batch;
			this.batch = [];
			for (const d of shuffled(held, this.deps.random)) this.send(d);
		});
	}

	/** Resolves when nothing is in flight (tests and close()). */
	async idle(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
	}

	cancelPending(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		this.batch = [];
		this.batchTimer = null;
	}

	reset(): void {
		this.generation++;
		this.cancelPending();
		this.attempts.length = 0;
	}

	async close(): Promise<void> {
		this.closed = true;
		this.cancelPending();
		this.aborter.abort();
		await this.idle();
		await this.agent.close();
	}

	private later(ms: number, fn: () => void): NodeJS.Timeout {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, ms);
		timer.unref();
		this.timers.add(timer);
		return timer;
	}

	private send(delivery: Delivery, duplicate = false): void {
		if (this.closed) return;
		if (!duplicate) delivery.attempt++;
		const task = this.attempt(delivery, duplicate).finally(() => this.inFlight.delete(task));
		this.inFlight.add(task);
	}

	private async attempt(delivery: Delivery, duplicate: boolean): Promise<void> {
		const generation = this.generation;
		const { url, secret } = this.deps.target(delivery.partnerKey);
		const startedAt = new Date().toISOString();
		const record: DeliveryAttempt = {
			deliveryId: delivery.id,
			jobId: delivery.jobId,
			eventType: delivery.eventType,
			url,
			body: delivery.body,
			signature: null,
			attempt: delivery.attempt,
			duplicate,
			status: null,
			outcome: 'skipped',
			startedAt,
			finishedAt: startedAt,
		};
		if (!url) {
			this.record(record);
			return;
		}
		const bytes = Buffer.from(delivery.body, 'utf8');
		// signed at send time: after a secret rotation in the portal, retries carry the new signature
		record.signature = sign(bytes, secret);
		let ok = false;
		try {
			const config = this.deps.config();
			const res = await request(url, {
				method: 'POST',
				dispatcher: this.agent,
				signal: this.aborter.signal,
				headers: {
					'content-type': 'application/json',
					[SIGNATURE_HEADER.toLowerCase()]: record.signature,
					'user-agent': 'G2Sentry-Sandbox-Callbacks/1.0',
				},
				body: bytes,
				headersTimeout: config.deliveryTimeoutMs,
				bodyTimeout: config.deliveryTimeoutMs,
			});
			await res.body.dump();
			record.status = res.statusCode;
			ok = res.statusCode >= 200 && res.statusCode < 300;
		} catch (err) {
			record.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
		}
		record.finishedAt = new Date().toISOString();
		if (this.closed || generation !== this.generation) return;
		if (ok) {
			record.outcome = 'delivered';
			this.record(record);
			if (!duplicate && this.rollDuplicate()) this.send(delivery, true);
			return;
		}
		if (duplicate || delivery.attempt > CALLBACK_RETRY_DELAYS_MS.length) {
			record.outcome = duplicate ? 'failed' : 'given-up';
			this.record(record);
			return;
		}
		const delay = CALLBACK_RETRY_DELAYS_MS[delivery.attempt - 1] / this.deps.config().timeScale;
		record.outcome = 'failed';
		record.nextAttemptAt = new Date(Date.now() + delay).toISOString();
		this.record(record);
		this.later(delay, () => this.send(delivery));
	}

	private rollDuplicate(): boolean {
		const setting = this.deps.config().chaos.duplicateDeliveries;
		const p = setting === true ? 1 : setting === false ? 0 : setting;
		return p > 0 && this.deps.random() < p;
	}

	private record(attempt: DeliveryAttempt): void {
		this.attempts.push(attempt);
		if (this.attempts.length > MAX_RECORDS) this.attempts.splice(0, this.attempts.length - MAX_RECORDS);
		const log = this.deps.config().log;
		if (log) {
			const what = attempt.status ?? attempt.error ?? 'no callback URL';
			log(`callback ${attempt.eventType} job ${attempt.jobId} attempt ${attempt.attempt}${attempt.duplicate ? ' (duplicate)' : ''}: ${what} → ${attempt.outcome}`);
		}
	}
}

// CPU time of a process from /proc (Linux): the whole process (every thread, exited ones too) and
// per live thread by name, so a figure can say which of n8n's threads a delivery keeps busy
// (the main JavaScript thread, libuv's pool where SQLite and crypto run, V8's GC helpers, the
// threads of the expression isolates).
import fs from 'node:fs';
import path from 'node:path';

import { sleep } from './stats';

/** Kernel clock ticks per second (`getconf CLK_TCK`; 100 on Linux x86-64). */
const TICKS_PER_SECOND = 100;
const MS_PER_TICK = 1000 / TICKS_PER_SECOND;

/** utime + stime of a /proc stat line, in ms; the name is between the parentheses. */
function parseStat(line: string): { name: string; ms: number } {
	const open = line.indexOf('(');
	const close = line.lastIndexOf(')');
	const fields = line.slice(close + 2).split(' ');
	// after the name: state is field 3, utime 14, stime 15 (1-based over the whole line)
	return { name: line.slice(open + 1, close), ms: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK };
}

/** The whole process's CPU time so far (threads that have exited included), in ms. */
export function processCpuMs(pid: number): number {
	return parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')).ms;
}

export interface ThreadSnapshot {
	total: number;
	/** by thread id: name and CPU ms */
	threads: Map<string, { name: string; ms: number }>;
}

export function snapshot(pid: number): ThreadSnapshot {
	const threads = new Map<string, { name: string; ms: number }>();
	const dir = `/proc/${pid}/task`;
	for (const tid of fs.readdirSync(dir)) {
		try {
			threads.set(tid, parseStat(fs.readFileSync(path.join(dir, tid, 'stat'), 'utf8')));
		} catch {
			// the thread ended between the listing and the read
		}
	}
	return { total: processCpuMs(pid), threads };
}

/** Thread names grouped as people know them (V8 and libuv number their workers). */
export function threadGroup(name: string, tid: string, pid: number): string {
	if (tid === String(pid)) return 'main (JavaScript)';
	if (/^libuv-worker/.test(name)) return 'libuv pool (SQLite, crypto, fs)';
	if (/^V8/.test(name)) return 'V8 platform workers (GC, compiler)';
	if (name === 'WorkerThread') return 'Node worker threads';
	// a native thread nobody named inherits its creator's name: in n8n those are isolated-vm's
	// (the expression isolates run on them; they vanish with N8N_EXPRESSION_ENGINE=legacy)
	if (name === 'MainThread') return 'unnamed native threads (isolated-vm)';
	return name.replace(/\d+$/, '#');
}

/** CPU ms spent between two snapshots, by thread group; threads gone since `before` as "exited". */
export function cpuByGroup(pid: number, before: ThreadSnapshot, after: ThreadSnapshot): Record<string, number> {
	const out: Record<string, number> = {};
	let live = 0;
	for (const [tid, t] of after.threads) {
		const delta = t.ms - (before.threads.get(tid)?.ms ?? 0);
		if (delta <= 0) continue;
		const group = threadGroup(t.name, tid, pid);
		out[group] = (out[group] ?? 0) + delta;
		live += delta;
	}
	const rest = after.total - before.total - live;
	if (rest > 0) out['threads that ended (isolates disposed…)'] = rest;
	return out;
}

/**
 * Waits until the process has been nearly idle for `quietMs` (at most `idleMsPerSecond` CPU a
 * second), so work a batch left behind (executions finishing, static data saved, isolates
 * disposed) is counted in that batch and not in the next one. Gives up after `timeoutMs`.
 */
export async function waitQuiet(pid: number, idleMsPerSecond: number, quietMs = 300, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = processCpuMs(pid);
	let quietSince = Date.now();
	while (Date.now() < deadline) {
		await sleep(100);
		const now = processCpuMs(pid);
		// one tick of slack: the counters move in 10 ms steps
		if (now - last > (idleMsPerSecond / 10) + MS_PER_TICK) quietSince = Date.now();
		last = now;
		if (Date.now() - quietSince >= quietMs) return;
	}
}

/**
 * The process's CPU ms per second while nothing is sent to it: the quietest of 1-second windows
 * over `ms`, so a burst of n8n's own background work (isolates rebuilt, pruning) is not taken
 * for its idle rate and subtracted from every batch.
 */
export async function idleRate(pid: number, ms = 3000): Promise<number> {
	let quietest = Number.POSITIVE_INFINITY;
	for (let elapsed = 0; elapsed < ms; elapsed += 1000) {
		const start = processCpuMs(pid);
		const t = Date.now();
		await sleep(1000);
		quietest = Math.min(quietest, ((processCpuMs(pid) - start) / (Date.now() - t)) * 1000);
	}
	return quietest;
}

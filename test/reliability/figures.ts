/**
 * The reliability figures R1..R8: size (G2S_RELIABILITY_SCALE), the fast-check seed (G2S_SEED
 * replays a run), and the table printed at the end with each figure, its target and its result.
 * A figure whose target is missed fails its test; the table is also written to
 * .test-results/reliability-figures.json for the README.
 */
import fs from 'node:fs';
import path from 'node:path';

function readScale(): number {
	const raw = process.env.G2S_RELIABILITY_SCALE;
	if (raw === undefined || raw === '') return 1;
	const value = Number(raw);
	if (!Number.isFinite(value) || value <= 0 || value > 1) {
		throw new Error(`G2S_RELIABILITY_SCALE must be a number in (0, 1], got "${raw}"`);
	}
	return value;
}

function readSeed(): number {
	const raw = process.env.G2S_SEED;
	if (raw === undefined || raw === '') return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
	const value = Number(raw);
	if (!Number.isSafeInteger(value)) throw new Error(`G2S_SEED must be an integer, got "${raw}"`);
	return value | 0;
}

/** 1 = the issue's full size; .ci/run uses less. */
export const SCALE = readScale();
/** One seed per run; every generator of every figure derives from it. */
export const SEED = readSeed();

/** `full` at full size, scaled down for CI but never below `min`. */
export const sized = (full: number, min: number) => Math.max(min, Math.round(full * SCALE));

/** The seed of one figure's generators: the run's seed and the figure's name, so figures are independent. */
export function seedOf(figure: string): number {
	let h = SEED;
	for (const ch of figure) h = (Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1) + 0x7f4a7c15) | 0;
	return h;
}

export interface Figure {
	id: string;
	title: string;
	target: string;
	result: string;
	pass: boolean;
	/** what was generated/sent, e.g. "10000 mutations" */
	size: string;
	durationMs: number;
	seed: number;
}

const figures: Figure[] = [];

/** Records a figure; the caller then asserts `pass` so a missed target fails its test. */
export function report(figure: Omit<Figure, 'seed'> & { seed?: number }): Figure {
	const full = { seed: seedOf(figure.id), ...figure };
	figures.push(full);
	process.stdout.write(`\n[reliability] ${line(full)}\n`);
	return full;
}

const line = (f: Figure) =>
	`${f.pass ? 'PASS' : 'FAIL'} ${f.id} ${f.title}: ${f.result} | target: ${f.target} | size: ${f.size} | ${(f.durationMs / 1000).toFixed(1)} s | seed ${f.seed}`;

/** The table at the end of the run (and its JSON copy). */
export function printTable(startedAt: number): void {
	const rows = figures.map(line);
	const header = `Reliability figures (scale ${SCALE}, G2S_SEED=${SEED}, ${new Date().toISOString()}, ${((Date.now() - startedAt) / 1000).toFixed(0)} s)`;
	process.stdout.write(`\n${header}\n${rows.map((r) => `  ${r}`).join('\n')}\nReplay: G2S_SEED=${SEED} G2S_RELIABILITY_SCALE=${SCALE} npm run test:reliability\n`);
	const out = path.resolve(__dirname, '..', '..', '.test-results', 'reliability-figures.json');
	fs.mkdirSync(path.dirname(out), { recursive: true });
	fs.writeFileSync(out, JSON.stringify({ scale: SCALE, seed: SEED, finishedAt: new Date().toISOString(), durationMs: Date.now() - startedAt, figures }, null, 2));
}

export const timer = () => {
	const started = Date.now();
	return () => Date.now() - started;
};

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

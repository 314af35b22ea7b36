// The SVG chart of results.md: requests in the trailing 60 s window over time, per flow, against
// the limit. Plain SVG text, no dependencies.
import type { SandboxRequest } from './actions';

export interface Series {
	label: string;
	color: string;
	requests: SandboxRequest[];
}

const W = 760;
const H = 360;
const M = { left: 56, right: 16, top: 40, bottom: 64 };
const WINDOW_MS = 60_000;

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Trailing-window counts sampled every `stepMs` from t0 to the end. */
function trailing(times: number[], t0: number, end: number, stepMs: number): Array<[number, number]> {
	const points: Array<[number, number]> = [];
	for (let t = t0; t <= end; t += stepMs) points.push([t - t0, times.filter((x) => x <= t && x > t - WINDOW_MS).length]);
	return points;
}

export function requestsChart(title: string, limit: number, series: Series[]): string {
	const all = series.flatMap((s) => s.requests.map((r) => Date.parse(r.time)));
	if (all.length === 0) return '';
	const t0 = Math.min(...all);
	const end = Math.max(...all) + 2_000;
	const span = Math.max(end - t0, 10_000);
	const step = Math.max(250, Math.round(span / 600));
	const lines = series.map((s) => ({ ...s, points: trailing(s.requests.map((r) => Date.parse(r.time)), t0, t0 + span, step) }));
	const yMax = Math.max(limit * 1.25, ...lines.flatMap((l) => l.points.map((p) => p[1]))) * 1.05;
	const x = (ms: number) => M.left + (ms / span) * (W - M.left - M.right);
	const y = (n: number) => H - M.bottom - (n / yMax) * (H - M.top - M.bottom);
	const out: string[] = [];
	out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
	out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
	out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
	// axes and ticks
	out.push(`<line x1="${M.left}" y1="${y(0)}" x2="${W - M.right}" y2="${y(0)}" stroke="#333"/>`);
	out.push(`<line x1="${M.left}" y1="${y(0)}" x2="${M.left}" y2="${M.top}" stroke="#333"/>`);
	const secStep = span > 240_000 ? 60 : span > 60_000 ? 30 : 10;
	for (let s = 0; s * 1000 <= span; s += secStep) {
		out.push(`<line x1="${x(s * 1000)}" y1="${y(0)}" x2="${x(s * 1000)}" y2="${y(0) + 4}" stroke="#333"/>`);
		out.push(`<text x="${x(s * 1000)}" y="${y(0) + 16}" text-anchor="middle">${s}</text>`);
	}
	const yStep = yMax > 150 ? 50 : yMax > 40 ? 20 : 5;
	for (let n = 0; n <= yMax; n += yStep) {
		out.push(`<line x1="${M.left - 4}" y1="${y(n)}" x2="${W - M.right}" y2="${y(n)}" stroke="#eee"/>`);
		out.push(`<text x="${M.left - 8}" y="${y(n) + 4}" text-anchor="end">${n}</text>`);
	}
	out.push(`<text x="${W / 2}" y="${H - 30}" text-anchor="middle">seconds since the first request</text>`);
	out.push(`<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">requests in the last 60 s</text>`);
	// the limit
	out.push(`<line x1="${M.left}" y1="${y(limit)}" x2="${W - M.right}" y2="${y(limit)}" stroke="#c00" stroke-dasharray="6 4"/>`);
	out.push(`<text x="${W - M.right - 4}" y="${y(limit) - 6}" text-anchor="end" fill="#c00">limit ${limit}/min</text>`);
	for (const line of lines) {
		const d = line.points.map(([t, n]) => `${x(t).toFixed(1)},${y(n).toFixed(1)}`).join(' ');
		out.push(`<polyline fill="none" stroke="${line.color}" stroke-width="2" points="${d}"/>`);
	}
	// legend
	lines.forEach((line, i) => {
		const lx = M.left + 10 + i * 230;
		out.push(`<line x1="${lx}" y1="${H - 10}" x2="${lx + 24}" y2="${H - 10}" stroke="${line.color}" stroke-width="3"/>`);
		const refused = line.requests.filter((r) => r.status === 429).length;
		out.push(`<text x="${lx + 30}" y="${H - 6}">${esc(`${line.label}${refused ? ` (${refused} × 429)` : ''}`)}</text>`);
	});
	out.push('</svg>');
	return out.join('\n') + '\n';
}

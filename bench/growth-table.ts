/**
 * How each case's cost grows with the data: reads bench results taken at different
 * `--scale`s (for example 0.1, 0.3 and 1: one, three and ten times the data) and prints,
 * per measurement, Tidemark's cost per unit of work at each size and how much the
 * largest size's cost per unit exceeds the smallest's. Linear growth shows as 1.00×;
 * anything well above it grows worse than the data and shows up here before a user
 * finds it.
 *   npx tsx bench/growth-table.ts bench/out/<scale 0.1>.json bench/out/<0.3>.json bench/out/<1>.json
 */
import { readFileSync } from 'node:fs';
import type { CaseResult, ResultRow } from './lib/result';

interface Report {
  options: { scale: number };
  results: CaseResult[];
}

/** The units of work a case's time is spread over at `scale`, or null: its figures are per request. */
function workAt(c: string, scale: number): { n: number; per: string } | null {
  const n = (full: number) => Math.round(full * scale);
  switch (c) {
    case 'training':
      return { n: n(100_000), per: 'spine row' };
    case 'training-bulk':
      return { n: n(1_000_000), per: 'spine row' };
    case 'events':
      return { n: n(1_000), per: 'subscriber' };
    case 'daily':
      // Below 1 the store and the file both shrink; above it only the store grows.
      return { n: Math.round(10_000 * Math.min(1, scale)), per: 'file row' };
    default:
      return null;
  }
}

interface Cell {
  value: number;
  unit: string;
}

/** A row's Tidemark figure per unit of work at `scale` (a rate becomes time per row). */
function perUnit(r: ResultRow, scale: number): Cell {
  const m = r.tidemark;
  // A rate becomes the time one unit takes (rows/s → µs/row, req/s → µs/req), so that
  // for every row a larger figure is worse.
  if (m.unit.endsWith('/s'))
    return { value: 1e6 / m.median, unit: `µs/${m.unit.slice(0, -2).replace(/s$/, '')}` };
  const work = m.unit === 'ms' ? workAt(r.case, scale) : null;
  if (work) return { value: (m.median * 1000) / work.n, unit: `µs/${work.per}` };
  return { value: m.median, unit: m.unit };
}

const fmt = (v: number) =>
  v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);

export function growthTable(reports: Report[]): string {
  const sorted = [...reports].sort((a, b) => a.options.scale - b.options.scale);
  const largest = sorted.at(-1)!;
  const smallest = sorted[0]!;
  const head = [
    'case',
    'measurement (at the largest size)',
    'unit',
    ...sorted.map((r) => `scale ${r.options.scale}`),
  ];
  const lines = [head, head.map(() => '---')];
  // A measurement set against two baselines (the ingest against .import and DuckDB) is
  // two rows of a case with the same figure: one line here.
  const shown = new Set<string>();
  for (const res of largest.results) {
    res.rows.forEach((row, i) => {
      const key = `${res.case}\u0000${row.what}`;
      if (shown.has(key)) return;
      shown.add(key);
      // The same case's rows come in the same order at every scale.
      const cells = sorted.map((rep) => {
        const same = rep.results.find((x) => x.case === res.case)?.rows[i];
        return same ? perUnit(same, rep.options.scale) : null;
      });
      const first = cells[0];
      const last = cells.at(-1);
      if (!first || !last || cells.some((c) => c === null)) return;
      const growth = last.value / first.value;
      lines.push([
        res.case,
        row.what,
        last.unit,
        ...cells.map((c) => fmt(c!.value)),
        `${growth.toFixed(2)}×`,
      ]);
    });
  }
  lines[0]!.push(`largest ÷ smallest (${largest.options.scale / smallest.options.scale}× the data)`);
  lines[1]!.push('---');
  return lines.map((l) => `| ${l.join(' | ')} |`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  if (files.length < 2) {
    console.error(
      'usage: npx tsx bench/growth-table.ts <result.json> <result.json> [...] (at different --scale)',
    );
    process.exit(2);
  }
  const reports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Report);
  const scales = new Set(reports.map((r) => r.options.scale));
  if (scales.size !== reports.length) {
    console.error(
      `each result must be at a different --scale; got ${reports.map((r) => r.options.scale).join(', ')}`,
    );
    process.exit(2);
  }
  console.log(growthTable(reports));
}

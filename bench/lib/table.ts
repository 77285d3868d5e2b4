/** The one printed table: medians, baselines and ratios, one line per comparison. */
import type { CaseResult, Measure } from './result';

export function formatTable(results: CaseResult[]): string {
  const header = ['case', 'measurement', 'Tidemark', 'baseline', 'baseline value', 'ratio', 'target', 'met'];
  const lines: string[][] = [];
  for (const c of results) {
    for (const r of c.rows) {
      lines.push([
        r.case,
        r.what,
        fmt(r.tidemark),
        r.baseline?.name ?? '',
        r.baseline ? fmt(r.baseline.m) : '',
        r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : '',
        r.target?.text ?? '',
        r.target ? (r.target.met ? 'yes' : 'NO') : '',
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n');
}

export function fmt(m: Measure): string {
  const v = m.median;
  if (!Number.isFinite(v)) return 'n/a';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  const n = v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${n} ${m.unit}`;
}

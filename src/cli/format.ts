/** Plain-text shapes for CLI output. */
import type { Run } from '../domain/run';
import { resultLines } from './report-format';
import { statusName } from './json';

export function runLine(r: Run): string {
  const when = new Date(r.queuedAt).toISOString().replace('T', ' ').slice(0, 19);
  const c = r.counts;
  return `${r.id}  ${when}  ${r.contractName}@${r.contractVersion}  ${r.environment}  ${r.trigger.padEnd(9)} ${statusName(r.status).padEnd(11)} read=${c.read} written=${c.written} rejected=${c.rejected}`;
}

export function runDetail(r: Run): string {
  const lines = [
    runLine(r),
    `  code ${r.codeVersion}  contract hash ${r.contractHash.slice(0, 12)}  attempt ${r.attempt}${r.parentRunId ? `  parent ${r.parentRunId}` : ''}`,
  ];
  if (r.outputDigest) lines.push(`  output digest ${r.outputDigest}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  for (const res of r.validation?.results ?? []) lines.push(...resultLines(res));
  return lines.join('\n');
}

/** Rows under a header, each column as wide as its widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd() + '\n';
  return [header, ...rows].map(line).join('');
}

/** `contracts list`: one line per registered version and where it is active. */
export function contractTable(
  rows: Array<{ name: string; version: string; owner: string; hash: string; active: string[] }>,
): string {
  return table(
    ['CONTRACT', 'VERSION', 'OWNER', 'HASH', 'ACTIVE IN'],
    rows.map((r) => [r.name, r.version, r.owner, r.hash, r.active.join(',') || '-']),
  );
}

/**
 * A validation report and rejects as lines a person reads in a terminal: each result
 * with what was observed against what was required ("observed 2, min 5"), the `mostly`
 * that let a check pass, a few sampled rows with the file they came from, and
 * "…and N more" wherever a list is cut.
 */
import type { ExpectationResult } from '../domain/validation-report';
import type { StoredReject } from '../store/reject.repository';
import { fileNameOf } from '../pipeline/file-name';

/** Sampled rows shown per result; the report keeps up to 20, GraphQL and --json show them all. */
const SHOWN = 5;

export function resultLines(res: ExpectationResult): string[] {
  const mark = res.success ? 'ok  ' : res.severity === 'warn' ? 'warn' : 'FAIL';
  const col = res.column ?? res.columns?.join('+') ?? '';
  // The scope is named only when it is not the default batch.
  const scope = res.scope === 'view' ? ' scope=view' : '';
  const head = `  ${mark} ${res.expect}${col ? `(${col})` : ''} [${res.severity}${scope}] ${measured(res)}`;
  const shown = res.sample
    .slice(0, SHOWN)
    .map(
      (s) => `         ${s.rowNumber === undefined ? 'view' : rowAt(s.rowNumber, s.file)}: ${show(s.value)}`,
    );
  const more = res.unexpectedCount - shown.length;
  if (shown.length > 0 && more > 0) shown.push(`         …and ${more} more`);
  return [head, ...shown];
}

/** "observed X, min A, max B" for measured checks, "unexpected n/N" for counted ones. */
function measured(res: ExpectationResult): string {
  const d = res.details ?? {};
  // "unexpected 12/24" would read as a share of rows; a gap count over entities says what it is.
  if (res.expect === 'no_gaps' && typeof d.gaps === 'number') {
    const steps = d.missing === 1 ? 'step' : 'steps';
    const entities = `${show(d.entitiesWithGaps)} of ${res.elementCount} entities`;
    return `${d.gaps} gap${d.gaps === 1 ? '' : 's'} in ${entities} (${show(d.missing)} ${steps} of ${String(d.interval)} missing)`;
  }
  // A drift check with nothing to compare with yet says so rather than "observed null".
  if (typeof d.note === 'string' && (res.observedValue === null || res.observedValue === undefined)) {
    return d.note;
  }
  const parts: string[] = [];
  if (res.observedValue !== undefined && (d.min !== undefined || d.max !== undefined)) {
    parts.push(`observed ${observed(res)}`);
    if (d.min !== undefined) parts.push(`min ${show(d.min)}`);
    if (d.max !== undefined) parts.push(`max ${show(d.max)}`);
    const text = parts.join(', ');
    if (res.expect !== 'max_rejected_fraction') return text;
    return `${text} (${res.unexpectedCount} of ${res.elementCount} rows rejected)`;
  }
  parts.push(`unexpected ${res.unexpectedCount}/${res.elementCount}`);
  if (res.observedValue !== undefined) parts.push(`observed ${observed(res)}`);
  if (res.mostly !== undefined && res.unexpectedCount > 0)
    parts.push(`${res.success ? 'passed' : 'failed'} with mostly ${res.mostly} (${pct(res)} expected)`);
  return parts.join(', ');
}

function observed(res: ExpectationResult): string {
  const v = res.observedValue;
  if (!Array.isArray(v)) return show(v);
  const total = typeof res.details?.distinct === 'number' ? res.details.distinct : v.length;
  const listed = v.slice(0, 10).map(show);
  if (total > listed.length) listed.push(`…and ${total - listed.length} more`);
  return `[${listed.join(', ')}]`;
}

function pct(res: ExpectationResult): string {
  const ok =
    res.elementCount === 0 ? 100 : (100 * (res.elementCount - res.unexpectedCount)) / res.elementCount;
  return `${Number(ok.toFixed(2))}%`;
}

function rowAt(rowNumber: number, file: string | null | undefined): string {
  return file ? `row ${rowNumber} (${file})` : `row ${rowNumber}`;
}

function show(v: unknown): string {
  if (typeof v === 'number') return String(Number(v.toPrecision(6)));
  return v === undefined ? 'none' : JSON.stringify(v);
}

/** The rejects shown by `inspect`, with where each row came from. */
export function rejectLines(page: { rows: StoredReject[]; totalCount: number }): string[] {
  if (page.totalCount === 0) return [];
  const lines = [`  rejects (${page.totalCount}):`];
  for (const x of page.rows) {
    const why = x.reasons.map((r) => r.message).join('; ');
    lines.push(`    ${rowAt(x.rowNumber, fileNameOf(x.sourceUri))}: ${why}`);
  }
  const more = page.totalCount - page.rows.length;
  if (more > 0)
    lines.push(`    …and ${more} more (inspect --json, or GraphQL run { rejects(first, offset) })`);
  return lines;
}

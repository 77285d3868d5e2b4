/**
 * validateBatch: compiled checks × cleansed rows → accepted rows, rejected rows with
 * every reason, and the validation report.
 *
 * Every check sees every given row, rejected or not, so the report describes the batch
 * as it arrived from cleansing and a row failing three checks carries three reasons.
 * Rows are rejected by the schema, by row/sequence expectations of severity `reject`
 * (whatever `mostly` says: `mostly` only decides the report's success, so a row that
 * breaks a rejecting rule never reaches the store), and by unique / compound_unique of
 * severity `reject` (all but the first row of each duplicate group).
 */
import type { CleanRow, RejectReason } from '../pipeline/row.types';
import type { ExpectationResult } from './report.types';
import type {
  BatchValidation,
  Check,
  CompiledChecks,
  RowCheck,
  SequenceCheck,
  ValidationContext,
} from './checks.types';
import { ColumnCache } from './column-cache';
import { mostlyHolds } from './mostly';
import { buildReport, headOf, isoOrNull, makeResult, type ResultHead } from './report';
import { runSchemaCheck } from './schema-check';
import { entityOrder, runSequenceCheck } from './sequence';
import { RejectSink, Tally } from './tally';

/** The column a check reports on; no_future_event_time reports the event-time column. */
function headFor(check: Check, eventTime: string): ResultHead {
  const head = headOf(check.spec);
  if (check.kind === 'row' && check.column === undefined) head.column = eventTime;
  return head;
}

function tallyFor(check: RowCheck | SequenceCheck, head: ResultHead, sink: RejectSink): Tally {
  if (check.spec.severity !== 'reject') return new Tally(null);
  return new Tally({ sink, rule: check.spec.expect, column: head.column, message: check.message });
}

/** The tight loop: one predicate call per cell, nothing allocated for passing cells. */
function runRowCheck(check: RowCheck, rows: CleanRow[], now: number, tally: Tally): void {
  const { column, skipNulls } = check;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const v = column === undefined ? row.eventTime : (row.values[column] ?? null);
    if (v === null && skipNulls) continue;
    tally.elementCount++;
    if (!check.test(v, now)) tally.miss(i, row.rowNumber, column === undefined ? isoOrNull(v as number) : v);
  }
}

interface BatchState {
  rows: CleanRow[];
  ctx: ValidationContext;
  sink: RejectSink;
  cache: ColumnCache;
  order?: Uint32Array;
}

function evaluate(check: Check, head: ResultHead, s: BatchState): ExpectationResult {
  if (check.kind === 'table') {
    const sink = check.spec.severity === 'reject' ? s.sink : null;
    return makeResult(head, check.evaluate({ rows: s.rows, ctx: s.ctx, sink, cache: s.cache }));
  }
  const tally = tallyFor(check, head, s.sink);
  if (check.kind === 'row') runRowCheck(check, s.rows, s.ctx.now, tally);
  else {
    s.order ??= entityOrder(s.rows);
    runSequenceCheck(check, s.rows, s.order, s.ctx.previous, tally);
  }
  return makeResult(head, {
    success: mostlyHolds(tally.unexpectedCount, tally.elementCount, check.spec.mostly),
    elementCount: tally.elementCount,
    unexpectedCount: tally.unexpectedCount,
    sample: tally.sample,
  });
}

function partition(rows: CleanRow[], sink: RejectSink): Pick<BatchValidation, 'accepted' | 'rejected'> {
  const accepted: CleanRow[] = [];
  const rejected: Array<{ row: CleanRow; reasons: RejectReason[] }> = [];
  for (let i = 0; i < rows.length; i++) {
    const reasons = sink.byRow[i];
    if (reasons) rejected.push({ row: rows[i]!, reasons });
    else accepted.push(rows[i]!);
  }
  return { accepted, rejected };
}

export function validateBatch(
  checks: CompiledChecks,
  rows: CleanRow[],
  ctx: ValidationContext,
): BatchValidation {
  const state: BatchState = { rows, ctx, sink: new RejectSink(rows.length), cache: new ColumnCache(rows) };
  const results = [runSchemaCheck(checks.schema, rows, state.sink, ctx.coercionRejects)];
  const failsRun = [false];
  for (const check of checks.checks) {
    results.push(evaluate(check, headFor(check, checks.contract.eventTime), state));
    failsRun.push(check.failsRun);
  }
  return { ...partition(rows, state.sink), report: buildReport(results, failsRun) };
}

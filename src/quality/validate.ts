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
 *
 * The work yields at pause points (between checks, and every ROWS_PER_LOOK rows of a
 * row check or of the schema): a run validates in slices so the server keeps answering
 * (pipeline/slices.ts); `validateBatch` runs it straight through.
 */
import type { CleanRow } from '../domain/rows';
import type { RejectReason } from '../domain/reject';
import { asCleanRows, pick, type CleanRows } from '../domain/clean-rows';
import type { ExpectationResult, ValidationReport } from '../domain/validation-report';
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
import { finish, finishInSlices, ROWS_PER_LOOK, type Slicer, type SlicedWork } from '../lib/slices';

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
function* runRowCheck(check: RowCheck, rows: CleanRows, now: number, tally: Tally): SlicedWork<void> {
  const { column, skipNulls } = check;
  const cell = column === undefined ? rows.eventTime : rows.column(column);
  for (let i = 0; i < rows.length; i++) {
    if (i % ROWS_PER_LOOK === ROWS_PER_LOOK - 1) yield;
    const v = cell(i);
    if (v === null && skipNulls) continue;
    tally.elementCount++;
    if (!check.test(v, now))
      tally.miss(i, rows.rowNumber(i), column === undefined ? isoOrNull(v as number) : v, rows.rawBatchId(i));
  }
}

interface BatchState {
  rows: CleanRows;
  ctx: ValidationContext;
  sink: RejectSink;
  cache: ColumnCache;
  order?: Uint32Array;
}

function* evaluate(
  check: Check,
  head: ResultHead,
  s: BatchState,
  index: number,
): SlicedWork<ExpectationResult> {
  if (check.kind === 'table') {
    const sink = check.spec.severity === 'reject' ? s.sink : null;
    const entityOrderOnce = () => (s.order ??= entityOrder(s.rows));
    return makeResult(
      head,
      check.evaluate({ rows: s.rows, ctx: s.ctx, sink, cache: s.cache, entityOrder: entityOrderOnce, index }),
    );
  }
  const tally = tallyFor(check, head, s.sink);
  if (check.kind === 'row') yield* runRowCheck(check, s.rows, s.ctx.now, tally);
  else {
    s.order ??= entityOrder(s.rows);
    const byRow = s.sink.byRow;
    runSequenceCheck(check, s.rows, s.order, s.ctx.previous, tally, (i) => byRow[i] === undefined);
  }
  return makeResult(head, {
    success: mostlyHolds(tally.unexpectedCount, tally.elementCount, check.spec.mostly),
    elementCount: tally.elementCount,
    unexpectedCount: tally.unexpectedCount,
    sample: tally.sample,
  });
}

function partition(rows: CleanRows, sink: RejectSink): Pick<BatchValidation, 'accepted' | 'rejected'> {
  const rejected: Array<{ row: CleanRow; reasons: RejectReason[] }> = [];
  for (let i = 0; i < rows.length; i++) {
    const reasons = sink.byRow[i];
    if (reasons) rejected.push({ row: rows.row(i), reasons });
  }
  if (rejected.length === 0) return { accepted: rows, rejected };
  const accepted = new Uint32Array(rows.length - rejected.length);
  for (let i = 0, k = 0; i < rows.length; i++) if (!sink.byRow[i]) accepted[k++] = i;
  return { accepted: pick(rows, accepted), rejected };
}

/** Indices of the checks that see every row, in the order they must run. */
function phaseOrder(checks: Check[]): number[] {
  const rank = (c: Check) => (c.kind !== 'sequence' ? 0 : c.spec.severity === 'reject' ? 1 : 2);
  return checks
    .map((c, k) => k)
    .filter((k) => seesEveryRow(checks[k]!))
    .sort((x, y) => rank(checks[x]!) - rank(checks[y]!) || x - y);
}

/** Checks that can reject rows see every row; the others wait for the rows the run stores. */
const seesEveryRow = (c: Check): boolean => c.kind !== 'table' || c.rejectsRows === true;

/**
 * Two passes. First the schema and every check that can reject a row, over every row;
 * then the aggregate table checks over the rows left, which are the rows the run
 * stores: a row quarantined for a bad value must not drag the mean of what is stored
 * (docs/validation.md). Results keep contract order.
 */
export function validateBatch(
  checks: CompiledChecks,
  given: readonly CleanRow[] | CleanRows,
  ctx: ValidationContext,
): BatchValidation {
  return finish(validation(checks, given, ctx));
}

/** validateBatch in slices: pauses whenever `slicer` says the slice is used up. */
export function validateBatchInSlices(
  checks: CompiledChecks,
  given: readonly CleanRow[] | CleanRows,
  ctx: ValidationContext,
  slicer: Slicer,
): Promise<BatchValidation> {
  return finishInSlices(validation(checks, given, ctx), slicer);
}

function* validation(
  checks: CompiledChecks,
  given: readonly CleanRow[] | CleanRows,
  ctx: ValidationContext,
): SlicedWork<BatchValidation> {
  const rows = asCleanRows(given);
  const sink = new RejectSink(rows.length);
  const all: BatchState = { rows, ctx, sink, cache: new ColumnCache(rows) };
  const results: ExpectationResult[] = [yield* runSchemaCheck(checks.schema, rows, sink, ctx)];
  const failsRun = [false, ...checks.checks.map((c) => c.failsRun)];
  const heads = checks.checks.map((c) => headFor(c, checks.contract.eventTime));
  // Sequence checks last, the rejecting ones first: each compares a row with the
  // previous row that will be stored, so it must know which rows are rejected.
  for (const k of phaseOrder(checks.checks)) {
    results[k + 1] = yield* evaluate(checks.checks[k]!, heads[k]!, all, k);
    yield;
  }
  const { accepted, rejected } = partition(rows, sink);
  const profiling = ctx.profile !== false;
  const kept: BatchState = { rows: accepted, ctx, sink, cache: new ColumnCache(accepted, profiling) };
  for (const [k, c] of checks.checks.entries()) {
    if (seesEveryRow(c)) continue;
    results[k + 1] = yield* evaluate(c, heads[k]!, kept, k);
    yield;
  }
  const bound = checks.contract.maxRejectedFraction;
  if (bound !== undefined) {
    const early = ctx.coercionRejects ?? 0;
    results.push(rejectedFractionResult(bound, rejected.length + early, rows.length + early));
    failsRun.push(true);
  }
  const report = buildReport(results, failsRun);
  if (ctx.files) attachFiles(report, ctx.files);
  // Columns a check already profiled (aggregates, drift) are not walked again.
  const profiles = [];
  for (const c of profiling ? checks.contract.columns : []) {
    profiles.push(kept.cache.profile(c));
    yield;
  }
  return { accepted, rejected, report, profiles };
}

/**
 * The contract's bound on the share of rejected rows (policy.maxRejectedFraction): a
 * run that quarantines more than that fails, whatever each rule's own verdict was.
 * Counted over the rows that reached validation or were rejected on the way.
 */
function rejectedFractionResult(max: number, rejected: number, elementCount: number): ExpectationResult {
  const fraction = elementCount === 0 ? 0 : rejected / elementCount;
  return makeResult(
    { expect: 'max_rejected_fraction', severity: 'fail' },
    {
      success: fraction <= max,
      elementCount,
      unexpectedCount: rejected,
      sample: [],
      observedValue: fraction,
      details: { max },
    },
  );
}

/** Names the file beside each sampled row number. */
function attachFiles(report: ValidationReport, files: ReadonlyMap<string, string>): void {
  for (const r of report.results) {
    for (const s of r.sample) {
      const file = s.rawBatchId === undefined ? undefined : files.get(s.rawBatchId);
      if (file !== undefined) s.file = file;
    }
  }
}

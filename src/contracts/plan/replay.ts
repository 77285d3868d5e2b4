/**
 * One past run replayed with one contract version, in memory: its kept raw batches are
 * read, cleansed and filtered, validated and transformed exactly as the executor does,
 * with the window history and the monotonic checks' previous values read from the
 * store as it was known just before the run committed. Nothing is written.
 */
import type { Store } from '../../store/store';
import type { FeatureView } from '../../store/feature-rows.types';
import type { RawStore } from '../../pipeline/raw-store';
import type { CompiledContract } from '../../pipeline/compiled-contract';
import type { RawBatch } from '../../domain/raw-batch';
import type { Run } from '../../domain/run';
import type { Value } from '../../domain/value';
import type { ValidationReport } from '../../domain/validation-report';
import { readStage } from '../../pipeline/read-stage';
import { loadHistory } from '../../pipeline/history-stage';
import { validateBatchInSlices } from '../../quality';
import { SAMPLE_LIMIT } from '../../quality/tally';
import { fileNames } from '../../pipeline/file-name';
import { Slicer } from '../../lib/slices';

export interface ReplayInput {
  store: Store;
  rawStore: RawStore;
  run: Run;
  batches: RawBatch[];
  view: FeatureView;
}

/** Why a row was rejected: the rule (an expectation name, `required`, `coerce`…) and its column. */
export interface RejectLabel {
  rule: string;
  column?: string;
}

export interface Replay {
  /** `entityKey \0 eventTime` → feature values; empty when the run would fail. */
  rows: Map<string, Record<string, Value>>;
  /** `rawBatchId:rowNumber` → the first reason the row was rejected. */
  rejects: Map<string, RejectLabel>;
  report: ValidationReport | null;
  /** Why the run would fail (a `fail` expectation, an error reading the batches); null: it commits. */
  failure: string | null;
  counts: { read: number; valid: number; rejected: number; filtered: number };
  ms: number;
}

export const rowKey = (entityKey: string, eventTime: number): string => `${entityKey}\u0000${eventTime}`;

export async function replayRun(input: ReplayInput, compiled: CompiledContract): Promise<Replay> {
  const started = performance.now();
  const out: Replay = {
    rows: new Map(),
    rejects: new Map(),
    report: null,
    failure: null,
    counts: { read: 0, valid: 0, rejected: 0, filtered: 0 },
    ms: 0,
  };
  try {
    await replayInto(out, input, compiled);
  } catch (err) {
    out.failure = err instanceof Error ? err.message : String(err);
    out.rows.clear();
  }
  out.ms = performance.now() - started;
  return out;
}

async function replayInto(out: Replay, input: ReplayInput, compiled: CompiledContract): Promise<void> {
  const { run, batches } = input;
  const slicer = new Slicer();
  const read = await readStage(input.rawStore, batches, compiled, undefined, slicer);
  for (const r of read.rejects) out.rejects.set(`${r.rawBatchId}:${r.rowNumber}`, label(r.reasons[0]));
  // Just before the run committed: its own rows are not there yet, and the run it
  // superseded (a reprocess) did not count for it either.
  const knownAt = (run.committedAt ?? run.finishedAt ?? Date.now()) - 1;
  const history = await loadHistory(
    input.store,
    input.view,
    read.clean,
    compiled,
    await superseded(input),
    knownAt,
  );
  const ctx = {
    now: run.startedAt ?? knownAt,
    presentColumns: read.presentColumns,
    previous: history.previous,
    coercionRejects: read.rejects.length,
    coercionSample: read.rejects.slice(0, SAMPLE_LIMIT),
    files: fileNames(batches),
  };
  const validation = await validateBatchInSlices(compiled.checks, read.clean, ctx, slicer);
  for (const r of validation.rejected)
    out.rejects.set(`${r.row.rawBatchId}:${r.row.rowNumber}`, label(r.reasons[0]));
  out.report = validation.report;
  out.counts = {
    read: read.read,
    rejected: out.rejects.size,
    filtered: read.filtered,
    valid: read.read - out.rejects.size - read.filtered,
  };
  if (!validation.report.success) {
    const failed = validation.report.results.filter((r) => !r.success && r.severity === 'fail');
    out.failure = `the run would fail: ${failed.map(describeResult).join(', ') || 'validation failed'}`;
    return;
  }
  for await (const batch of compiled.transform(validation.accepted, history.points, slicer))
    for (const row of batch) out.rows.set(rowKey(row.entityKey, row.eventTime), row.values);
}

/** The run a reprocess replaced: invisible to the reprocess's own history. */
async function superseded(input: ReplayInput): Promise<string[]> {
  const { run } = input;
  if (!run.parentRunId || run.committedAt === null) return [];
  const parent = await input.store.runs.get(run.parentRunId);
  return parent && parent.invalidatedAt === run.committedAt ? [parent.id] : [];
}

function label(reason: { rule: string; column?: string } | undefined): RejectLabel {
  if (!reason) return { rule: 'unknown' };
  return reason.column === undefined ? { rule: reason.rule } : { rule: reason.rule, column: reason.column };
}

export function describeResult(r: { expect: string; column?: string; columns?: string[] }): string {
  const on = r.column ?? r.columns?.join(', ');
  return on ? `${r.expect}(${on})` : r.expect;
}

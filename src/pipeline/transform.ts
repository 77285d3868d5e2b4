/**
 * Transform: cleansed, filtered rows → one feature row per (entity, event time).
 *
 * Features are computed in declaration order; each sees the schema columns and the
 * features before it (a feature shadows a column of the same name for later ones).
 * Windows run per entity over event time ascending, on the entity's stored history
 * followed by this run's rows, so a row's value is the same whether its data came in
 * one run or in several (windows.ts keeps sums exact for the same reason).
 *
 * Decisions:
 * - Windows read history, and history holds stored *features* only. So a window's
 *   `column` must be an earlier feature, or a schema column that an earlier plain
 *   feature copies (the window then reads that feature). Anything else is an error
 *   (see transformIssues), never a window that silently restarts every run.
 * - Two rows of one run for the same (entity, event time): the last one wins, by
 *   rowNumber within a raw batch and by input order across batches (a later batch
 *   corrects an earlier one). Contracts that want this to be an error say so with
 *   `compound_unique` on key + event time.
 * - A run row whose event time equals a history point replaces that point.
 * - Output is in canonical order (entityKey by UTF-16 code unit, then eventTime),
 *   the order digest.ts requires.
 */
import type { Contract, FeatureSpec, WindowSpec } from '../contracts/contract.types';
import { parseIsoDuration } from '../contracts/duration';
import { InputError } from '../errors';
import { compileExpression, type CompiledExpression } from './expression';
import type { CleanRow, FeatureRow, HistoryPoint, Value } from './row.types';
import { asCleanRows, type CleanRows } from './clean-rows';
import { mergeSeries, windowOverRows, type ResolvedWindow } from './windows';

type Input = readonly CleanRow[] | CleanRows;

export type Transform = (rows: Input, history: Map<string, HistoryPoint[]>) => FeatureRow[];

/**
 * The same rows, one entity at a time, in canonical order: a caller that serialises
 * each row as it comes never holds every feature row as an object at once.
 */
export type TransformRows = (rows: Input, history: Map<string, HistoryPoint[]>) => Iterable<FeatureRow>;

/** What the executor must load per entity before calling the transform. */
export interface HistoryNeeds {
  /** Feature names whose stored values windows read (empty: load no history). */
  columns: string[];
  /** Stored points needed right before the earliest run row (rows: N needs N-1, lag k needs k); null if no such window. */
  maxRows: number | null;
  /** Points with eventTime in (earliest run row - maxDuration, ...] are needed; null if no duration window. */
  maxDuration: number | null;
}

/** A problem that makes the features uncompilable; `path` is a JSON pointer into the contract. */
export interface TransformIssue {
  path: string;
  message: string;
}

type Step =
  | { kind: 'column'; name: string; column: string }
  | { kind: 'expr'; name: string; fn: CompiledExpression }
  | { kind: 'window'; name: string; source: string; window: ResolvedWindow };

export function compileTransform(contract: Contract): Transform {
  const rows = compileTransformRows(contract);
  return (clean, history) => [...rows(clean, history)];
}

export function compileTransformRows(contract: Contract): TransformRows {
  const steps = compiledSteps(contract);
  return (rows, history) => runTransform(steps, asCleanRows(rows), history);
}

/**
 * History loading contract for the executor: per entity, the `maxRows` stored points
 * before the earliest run row, every point within `maxDuration` before it, and every
 * point between the earliest and latest run rows (late data lands in the middle).
 */
export function historyNeeds(contract: Contract): HistoryNeeds {
  const windows = compiledSteps(contract).filter((s) => s.kind === 'window');
  const maxRows = Math.max(-1, ...windows.map((s) => pointsBack(s.window)));
  const maxDuration = Math.max(-1, ...windows.map((s) => s.window.durationMs ?? -1));
  return {
    columns: [...new Set(windows.map((s) => s.source))],
    maxRows: maxRows < 0 ? null : maxRows,
    maxDuration: maxDuration < 0 ? null : maxDuration,
  };
}

/** How many stored points before a row its window reads; -1 for duration windows. */
function pointsBack(w: ResolvedWindow): number {
  if (w.rows !== undefined) return w.rows - 1;
  return w.durationMs === undefined ? w.offset : -1;
}

/** Every reason the contract's features cannot be compiled (for the linter; empty when fine). */
export function transformIssues(contract: Contract): TransformIssue[] {
  return planSteps(contract).issues;
}

function compiledSteps(contract: Contract): Step[] {
  const { steps, issues } = planSteps(contract);
  if (issues.length > 0) {
    const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new InputError(`contract ${contract.name}: features cannot be computed: ${list}`, { issues });
  }
  return steps;
}

function planSteps(contract: Contract): { steps: Step[]; issues: TransformIssue[] } {
  const columns = new Set(contract.schema.map((c) => c.name));
  const steps: Step[] = [];
  const issues: TransformIssue[] = [];
  contract.features.forEach((f, i) => {
    const step = planFeature(f, `/features/${i}`, columns, steps);
    if (Array.isArray(step)) issues.push(...step);
    else steps.push(step);
  });
  return { steps, issues };
}

function planFeature(
  f: FeatureSpec,
  at: string,
  columns: Set<string>,
  earlier: Step[],
): Step | TransformIssue[] {
  const known = [...columns, ...earlier.map((s) => s.name)];
  const kinds = [f.column, f.expr, f.window].filter((k) => k !== undefined).length;
  if (kinds !== 1)
    return [{ path: at, message: `feature '${f.name}' needs exactly one of column, expr, window` }];
  if (earlier.some((s) => s.name === f.name))
    return [{ path: `${at}/name`, message: `feature '${f.name}' is declared twice` }];
  if (f.column !== undefined) {
    if (known.includes(f.column)) return { kind: 'column', name: f.name, column: f.column };
    return [
      {
        path: `${at}/column`,
        message: `column '${f.column}' is neither a schema column nor an earlier feature`,
      },
    ];
  }
  if (f.expr !== undefined) {
    try {
      return { kind: 'expr', name: f.name, fn: compileExpression(f.expr, known, `features/${f.name}/expr`) };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return [{ path: `${at}/expr`, message: e.message }];
    }
  }
  return planWindow(f.name, f.window!, `${at}/window`, columns, earlier);
}

function planWindow(
  name: string,
  w: WindowSpec,
  at: string,
  columns: Set<string>,
  earlier: Step[],
): Step | TransformIssue[] {
  const issues: TransformIssue[] = [];
  const source = windowSource(w.column, columns, earlier);
  if (typeof source !== 'string')
    issues.push({ path: `${at}/column`, message: `feature '${name}': ${source.problem}` });
  const window = resolveWindow(w, at, issues);
  if (issues.length > 0 || typeof source !== 'string') return issues;
  return { kind: 'window', name, source, window };
}

/** Which stored feature a window reads: the feature itself, or the plain feature copying the column. */
function windowSource(column: string, columns: Set<string>, earlier: Step[]): string | { problem: string } {
  if (earlier.some((s) => s.name === column)) return column;
  const copy = earlier.find((s) => s.kind === 'column' && s.column === column);
  if (copy && columns.has(column)) return copy.name;
  if (!columns.has(column))
    return { problem: `window column '${column}' is neither a schema column nor an earlier feature` };
  return {
    problem:
      `window column '${column}' must be a feature declared before this one: windows continue ` +
      `across runs from stored features, which do not keep source columns. ` +
      `Add { name: ${column}, column: ${column} } earlier in features`,
  };
}

function resolveWindow(w: WindowSpec, at: string, issues: TransformIssue[]): ResolvedWindow {
  const isShift = w.op === 'lag' || w.op === 'diff';
  const offset = w.offset ?? 1;
  if (!Number.isSafeInteger(offset) || offset < 1)
    issues.push({ path: `${at}/offset`, message: 'offset must be a whole number >= 1' });
  if (isShift) {
    if (w.rows !== undefined || w.duration !== undefined)
      issues.push({ path: at, message: `${w.op} takes offset, not rows or duration` });
    return { op: w.op, offset };
  }
  if ((w.rows === undefined) === (w.duration === undefined)) {
    issues.push({ path: at, message: `window op '${w.op}' needs exactly one of rows or duration` });
    return { op: w.op, offset };
  }
  if (w.rows !== undefined) {
    if (!Number.isSafeInteger(w.rows) || w.rows < 1)
      issues.push({ path: `${at}/rows`, message: 'rows must be a whole number >= 1' });
    return { op: w.op, rows: w.rows, offset };
  }
  let durationMs = 0;
  try {
    durationMs = parseIsoDuration(w.duration!);
  } catch (e) {
    issues.push({ path: `${at}/duration`, message: (e as Error).message });
  }
  if (durationMs <= 0 && issues.length === 0)
    issues.push({ path: `${at}/duration`, message: 'duration must be longer than zero' });
  return { op: w.op, durationMs, offset };
}

// ---- running ------------------------------------------------------------------------
// Column-wise per entity: one array per column or feature, one reused record per
// expression, so a million rows cost a few arrays per entity, not objects per row per step.

function* runTransform(
  steps: Step[],
  rows: CleanRows,
  history: Map<string, HistoryPoint[]>,
): Generator<FeatureRow> {
  const batchOrder = new Map<string, number>();
  const byEntity: Array<number[] | undefined> = [];
  for (let i = 0; i < rows.length; i++) {
    const batch = rows.rawBatchId(i);
    if (!batchOrder.has(batch)) batchOrder.set(batch, batchOrder.size);
    const id = rows.entityId(i);
    const list = byEntity[id];
    if (list) list.push(i);
    else byEntity[id] = [i];
  }
  const ids: number[] = [];
  byEntity.forEach((_, id) => ids.push(id));
  // Default string comparison is by UTF-16 code unit: the canonical order.
  const keys = rows.entityKeys;
  ids.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  const reader = new EntityReader(rows);
  for (const id of ids) {
    const entityRows = latestPerEventTime(rows, byEntity[id]!, batchOrder);
    byEntity[id] = undefined; // let the entity's index list go once it is done
    const out: FeatureRow[] = [];
    transformEntity(steps, reader.at(entityRows), history.get(keys[id]!) ?? [], out);
    yield* out;
  }
}

/** Row indices sorted by event time, one per event time: the last by (batch order, rowNumber). */
function latestPerEventTime(rows: CleanRows, idx: number[], batchOrder: Map<string, number>): number[] {
  let sorted = true;
  // The common case: one row per time, already in order; nothing to sort or drop.
  for (let k = 1; k < idx.length && sorted; k++)
    sorted = rows.eventTime(idx[k - 1]!) < rows.eventTime(idx[k]!);
  if (sorted) return idx;
  const order = (a: number, b: number) =>
    rows.eventTime(a) - rows.eventTime(b) ||
    batchOrder.get(rows.rawBatchId(a))! - batchOrder.get(rows.rawBatchId(b))! ||
    rows.rowNumber(a) - rows.rowNumber(b);
  const all = [...idx].sort(order);
  return all.filter((i, k) => k === all.length - 1 || rows.eventTime(all[k + 1]!) !== rows.eventTime(i));
}

/** One entity's rows as the transform reads them: columns of its rows, by position. */
interface EntityRows {
  length: number;
  times: number[];
  column(name: string): Value[];
  row(k: number): { entityKey: string; eventTime: number; rowNumber: number; rawBatchId: string };
}

/** Reads entities' rows out of the batch, reusing the batch's column readers across entities. */
class EntityReader {
  private readonly readers = new Map<string, (i: number) => Value>();
  constructor(private readonly rows: CleanRows) {}

  private reader(name: string): (i: number) => Value {
    let r = this.readers.get(name);
    if (!r) this.readers.set(name, (r = this.rows.column(name)));
    return r;
  }

  at(idx: number[]): EntityRows {
    const rows = this.rows;
    return {
      length: idx.length,
      times: idx.map((i) => rows.eventTime(i)),
      column: (name) => {
        const cell = this.reader(name);
        return idx.map((i) => cell(i));
      },
      row: (k) => {
        const i = idx[k]!;
        return {
          entityKey: rows.entityKey(i),
          eventTime: rows.eventTime(i),
          rowNumber: rows.rowNumber(i),
          rawBatchId: rows.rawBatchId(i),
        };
      },
    };
  }
}

function transformEntity(steps: Step[], rows: EntityRows, history: HistoryPoint[], out: FeatureRow[]): void {
  const columns = new Map<string, Value[]>();
  const column = (name: string): Value[] => {
    let values = columns.get(name);
    if (!values) columns.set(name, (values = rows.column(name)));
    return values;
  };
  const series = history.length > 0 ? mergeSeries(rows.times, history) : undefined;
  for (const step of steps) {
    if (step.kind === 'column') columns.set(step.name, column(step.column));
    else if (step.kind === 'expr') columns.set(step.name, evaluate(step.fn, rows.length, column));
    else
      columns.set(
        step.name,
        windowOverRows(step.window, series ?? rows.times, column(step.source), step.source),
      );
  }
  // Values are built with their keys in canonical (sorted) order: the digest then
  // serialises them with the engine's JSON.stringify (digest.ts).
  const names = steps.map((s) => s.name).sort();
  const featureColumns = names.map((name) => columns.get(name)!);
  for (let k = 0; k < rows.length; k++) {
    const values: Record<string, Value> = {};
    for (let f = 0; f < names.length; f++) values[names[f]!] = featureColumns[f]![k]!;
    const { entityKey, eventTime, rowNumber, rawBatchId } = rows.row(k);
    out.push({ entityKey, eventTime, values, rowNumber, rawBatchId });
  }
}

function evaluate(fn: CompiledExpression, n: number, column: (name: string) => Value[]): Value[] {
  const inputs = fn.names.map(column);
  const scope: Record<string, Value> = {};
  const out = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputs.length; k++) scope[fn.names[k]!] = inputs[k]![i]!;
    out[i] = fn(scope);
  }
  return out;
}

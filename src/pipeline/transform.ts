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
import type { Contract, FeatureSpec, WindowSpec } from '../domain/contract';
import { parseIsoDuration } from '../lib/duration';
import { InputError } from '../errors';
import { compileExpression } from './expression';
import type { CleanRow, FeatureRow, HistoryPoint } from '../domain/rows';
import { asCleanRows, type CleanRows } from '../domain/clean-rows';
import type { ResolvedWindow } from './windows';
import { runTransform, runTransformInSlices, type Step } from './transform-run';
import type { Slicer } from '../lib/slices';

type Input = readonly CleanRow[] | CleanRows;

export type Transform = (rows: Input, history: Map<string, HistoryPoint[]>) => FeatureRow[];

/**
 * The same rows in small batches (slices.ts rowsPerBatch), in canonical order, one
 * entity at a time: the run's transform. It lets the event loop turn whenever `slicer`
 * says the slice is used up, and a caller that serialises each batch as it comes never
 * holds every feature row as an object at once.
 */
export type TransformBatches = (
  rows: Input,
  history: Map<string, HistoryPoint[]>,
  slicer: Slicer,
) => AsyncIterable<FeatureRow[]>;

/** What the executor must load per entity before calling the transform. */
export interface HistoryNeeds {
  /** Feature names whose stored values windows read (empty: load no history). */
  columns: string[];
  /** Stored points needed right before the earliest run row (rows: N needs N-1, lag k needs k); null if no such window. */
  maxRows: number | null;
  /** Points with eventTime in (earliest run row - maxDuration, ...] are needed; null if no duration window. */
  maxDuration: number | null;
  /** Feature → how many of its last non-null stored values lag/diff with skipNulls reach back for. */
  lastNonNull: Record<string, number>;
}

/** A problem that makes the features uncompilable; `path` is a JSON pointer into the contract. */
export interface TransformIssue {
  path: string;
  message: string;
}

export function compileTransform(contract: Contract): Transform {
  const steps = compiledSteps(contract);
  return (rows, history) => [...runTransform(steps, asCleanRows(rows), history)];
}

export function compileTransformBatches(contract: Contract): TransformBatches {
  const steps = compiledSteps(contract);
  return (rows, history, slicer) => runTransformInSlices(steps, asCleanRows(rows), history, slicer);
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
  const lastNonNull: Record<string, number> = {};
  for (const s of windows) {
    if (s.window.skipNulls) lastNonNull[s.source] = Math.max(lastNonNull[s.source] ?? 0, s.window.offset);
  }
  return {
    columns: [...new Set(windows.map((s) => s.source))],
    maxRows: maxRows < 0 ? null : maxRows,
    maxDuration: maxDuration < 0 ? null : maxDuration,
    lastNonNull,
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
    return w.skipNulls ? { op: w.op, offset, skipNulls: true } : { op: w.op, offset };
  }
  if (w.skipNulls !== undefined)
    issues.push({
      path: `${at}/skipNulls`,
      message: `skipNulls applies to lag and diff; ${w.op} already skips nulls`,
    });
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

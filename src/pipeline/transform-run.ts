/**
 * Running a compiled transform (transform.ts plans it): column-wise per entity, one
 * array per column or feature and one reused record per expression, so a million rows
 * cost a few arrays per entity, not objects per row per step. Entities come out in
 * canonical order (entity key by UTF-16 code unit), each one's rows by event time.
 *
 * The work comes out in pieces: small batches of finished rows (slices.ts rowsPerBatch:
 * a few rows of a wide contract, up to ROWS_PER_LOOK of a narrow one), and pause points
 * (undefined) between the steps of an entity, so a run can let the event loop turn
 * inside even one huge entity.
 */
import type { CompiledExpression } from './expression';
import type { FeatureRow, HistoryPoint } from '../domain/rows';
import type { Value } from '../domain/value';
import type { CleanRows } from '../domain/clean-rows';
import { mergeSeries, windowOverRows, type ResolvedWindow } from './windows';
import { ROWS_PER_LOOK, rowsPerBatch, type Slicer } from '../lib/slices';

/** One feature, as planned: a copied column, an expression, or a window over an earlier feature. */
export type Step =
  | { kind: 'column'; name: string; column: string }
  | { kind: 'expr'; name: string; fn: CompiledExpression }
  | { kind: 'window'; name: string; source: string; window: ResolvedWindow };

export function* runTransform(
  steps: Step[],
  rows: CleanRows,
  history: Map<string, HistoryPoint[]>,
): Generator<FeatureRow> {
  for (const piece of transformWork(steps, rows, history)) if (piece) yield* piece;
}

/** The same rows in batches, pausing whenever `slicer` says the slice is used up. */
export async function* runTransformInSlices(
  steps: Step[],
  rows: CleanRows,
  history: Map<string, HistoryPoint[]>,
  slicer: Slicer,
): AsyncGenerator<FeatureRow[]> {
  for (const piece of transformWork(steps, rows, history)) {
    if (piece) yield piece;
    else if (slicer.due()) await slicer.pause();
  }
}

/** Batches of finished rows, in canonical order, with pause points (undefined) between. */
function* transformWork(
  steps: Step[],
  rows: CleanRows,
  history: Map<string, HistoryPoint[]>,
): Generator<FeatureRow[] | undefined, void, void> {
  const batchOrder = new Map<string, number>();
  const byEntity: Array<number[] | undefined> = [];
  for (let i = 0; i < rows.length; i++) {
    if (i % ROWS_PER_LOOK === ROWS_PER_LOOK - 1) yield;
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
    yield* transformEntity(steps, reader.at(entityRows), history.get(keys[id]!) ?? []);
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

/** One entity: a pause point after each step, then its rows in batches. */
function* transformEntity(
  steps: Step[],
  rows: EntityRows,
  history: HistoryPoint[],
): Generator<FeatureRow[] | undefined, void, void> {
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
    yield;
  }
  // Values are built with their keys in canonical (sorted) order: the digest then
  // serialises them with the engine's JSON.stringify (digest.ts).
  const names = steps.map((s) => s.name).sort();
  const featureColumns = names.map((name) => columns.get(name)!);
  const batch = rowsPerBatch(names.length);
  let out: FeatureRow[] = [];
  for (let k = 0; k < rows.length; k++) {
    const values: Record<string, Value> = {};
    for (let f = 0; f < names.length; f++) values[names[f]!] = featureColumns[f]![k]!;
    const { entityKey, eventTime, rowNumber, rawBatchId } = rows.row(k);
    out.push({ entityKey, eventTime, values, rowNumber, rawBatchId });
    if (out.length === batch) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
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

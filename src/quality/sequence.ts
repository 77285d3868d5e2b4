/**
 * increasing / non_decreasing over event time, per entity. Rows of each entity are
 * ordered by event time then row number, and each non-null value is compared with the
 * previous non-null value of the same entity (as GE compares consecutive values: after
 * 1, 5, 3, 4 only the 3 is unexpected; but when the 3 is rejected, by this check or
 * another, it is not stored, so the 4 is compared with the 5). The first row of an entity in the
 * batch is compared with the entity's last non-null stored value, so the verdict is
 * the same however the data is split into runs.
 */
import type { Value } from '../domain/value';
import type { CleanRows } from '../domain/clean-rows';
import type { PreviousValues, SequenceCheck } from './checks.types';
import { Tally } from './tally';

/**
 * Row indices grouped by entity (in order of first appearance), each group ordered by
 * event time then row number. Computed once per batch and shared by every sequence
 * check and the transform. A counting sort on entity ids groups the rows without
 * comparing key strings, and a group that already arrived in order (the usual case)
 * is not sorted at all.
 */
export function entityOrder(rows: CleanRows): Uint32Array {
  const n = rows.length;
  // Entity id → group number, numbered by first appearance in this view.
  const groupOf = new Int32Array(rows.entityKeys.length).fill(-1);
  const rowGroup = new Uint32Array(n);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = rows.entityId(i);
    let g = groupOf[id]!;
    if (g < 0) {
      g = groupOf[id] = sizes.length;
      sizes.push(0);
    }
    rowGroup[i] = g;
    sizes[g]!++;
  }
  const starts = new Uint32Array(sizes.length + 1);
  for (let g = 0; g < sizes.length; g++) starts[g + 1] = starts[g]! + sizes[g]!;
  const next = starts.slice(0, sizes.length);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[next[rowGroup[i]!]!++] = i;
  const before = (ia: number, ib: number): number =>
    rows.eventTime(ia) - rows.eventTime(ib) || rows.rowNumber(ia) - rows.rowNumber(ib) || ia - ib;
  for (let g = 0; g < sizes.length; g++) {
    const group = order.subarray(starts[g]!, starts[g + 1]!);
    if (!isOrdered(group, before)) group.set(Array.from(group).sort(before));
  }
  return order;
}

function isOrdered(g: Uint32Array, before: (a: number, b: number) => number): boolean {
  for (let j = 1; j < g.length; j++) if (before(g[j - 1]!, g[j]!) > 0) return false;
  return true;
}

/**
 * The stored value an entity's first batch row is compared with. Only a stored row
 * strictly older than that row counts: a batch row at or before the stored event time
 * is a restatement or a backfill, and comparing it with a later value would flag
 * history as a decrease.
 */
function storedValue(
  entityKey: string,
  eventTime: number,
  column: string,
  previous: Map<string, PreviousValues> | undefined,
): Value {
  const stored = previous?.get(entityKey);
  if (!stored || stored.eventTime >= eventTime) return null;
  return stored.values[column] ?? null;
}

function holds(v: Value, prev: Value, strict: boolean): boolean {
  // Compared with < and >, which order numbers (dates are epoch ms) and strings alike.
  return strict ? (v as number) > (prev as number) : (v as number) >= (prev as number);
}

export function runSequenceCheck(
  check: SequenceCheck,
  rows: CleanRows,
  order: Uint32Array,
  previous: Map<string, PreviousValues> | undefined,
  tally: Tally,
  stored: (i: number) => boolean = () => true,
): void {
  const { column, strict } = check;
  const cell = rows.column(column);
  let entity = -1;
  let prev: Value = null;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const id = rows.entityId(i);
    if (id !== entity) {
      entity = id;
      prev = storedValue(rows.entityKeys[id]!, rows.eventTime(i), column, previous);
    }
    const v = cell(i);
    if (v === null) continue;
    tally.elementCount++;
    if (prev !== null && !holds(v, prev, strict)) tally.miss(i, rows.rowNumber(i), v, rows.rawBatchId(i));
    // A rejected row (by this check or an earlier one) is not stored, so the next row is
    // compared with what is stored, as the next run would compare it: the verdict does
    // not depend on how the data is split into runs.
    if (stored(i)) prev = v;
  }
}

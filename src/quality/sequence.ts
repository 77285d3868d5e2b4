/**
 * increasing / non_decreasing over event time, per entity. Rows of each entity are
 * ordered by event time then row number, and each non-null value is compared with the
 * previous non-null value of the same entity (as GE compares consecutive values: after
 * 1, 5, 3, 4 only the 3 is unexpected). The first row of an entity in the batch is
 * compared with the entity's last stored value, so monotonicity holds across runs.
 */
import type { CleanRow, Value } from '../pipeline/row.types';
import type { PreviousValues, SequenceCheck } from './checks.types';
import { Tally } from './tally';

/**
 * Row indices grouped by entity (in order of first appearance), each group ordered by
 * event time then row number. Computed once per batch and shared by every sequence
 * check. Grouping by hash and sorting each group on numbers is several times faster
 * than one global sort comparing entity-key strings, and a group that already arrived
 * in order (the usual case) is not sorted at all.
 */
export function entityOrder(rows: CleanRow[]): Uint32Array {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const key = rows[i]!.entityKey;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  }
  const before = (ia: number, ib: number): number => {
    const a = rows[ia]!;
    const b = rows[ib]!;
    return a.eventTime - b.eventTime || a.rowNumber - b.rowNumber || ia - ib;
  };
  const order = new Uint32Array(rows.length);
  let k = 0;
  for (const g of groups.values()) {
    if (!isOrdered(g, before)) g.sort(before);
    for (const i of g) order[k++] = i;
  }
  return order;
}

function isOrdered(g: number[], before: (a: number, b: number) => number): boolean {
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
  row: CleanRow,
  column: string,
  previous: Map<string, PreviousValues> | undefined,
): Value {
  const stored = previous?.get(row.entityKey);
  if (!stored || stored.eventTime >= row.eventTime) return null;
  return stored.values[column] ?? null;
}

function holds(v: Value, prev: Value, strict: boolean): boolean {
  // Compared with < and >, which order numbers (dates are epoch ms) and strings alike.
  return strict ? (v as number) > (prev as number) : (v as number) >= (prev as number);
}

export function runSequenceCheck(
  check: SequenceCheck,
  rows: CleanRow[],
  order: Uint32Array,
  previous: Map<string, PreviousValues> | undefined,
  tally: Tally,
): void {
  const { column, strict } = check;
  let entity: string | undefined;
  let prev: Value = null;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const row = rows[i]!;
    if (row.entityKey !== entity) {
      entity = row.entityKey;
      prev = storedValue(row, column, previous);
    }
    const v = row.values[column] ?? null;
    if (v === null) continue;
    tally.elementCount++;
    if (prev !== null && !holds(v, prev, strict)) tally.miss(i, row.rowNumber, v);
    prev = v;
  }
}

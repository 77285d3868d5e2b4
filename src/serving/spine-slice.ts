/**
 * Spine rows as the bulk writers take them, in columns: row i is the distinct entity
 * value `values[ids[i]]` at `times[i]` (epoch ms). A bulk join's kept spine (SpineLog)
 * hands its rows out so, as views of its own arrays: an object per row, a million of
 * them each alive until its chunk was encoded, outlived the young generation and left
 * the old one ~50 MB of garbage per million rows.
 */
import type { ColumnType } from '../domain/contract';
import type { Value } from '../domain/value';
import { coercerFor, INVALID } from '../pipeline/coerce';
import type { SpineRow } from './spine-join';

export interface SpineSlice {
  readonly length: number;
  readonly ids: Int32Array;
  /** Distinct entity values by number: one array for every slice of one spine. */
  readonly values: readonly unknown[];
  readonly times: Float64Array;
}

/** Rows as a slice (each row its own value). */
export function spineSlice(rows: readonly SpineRow[]): SpineSlice {
  return {
    length: rows.length,
    ids: Int32Array.from(rows, (_, i) => i),
    values: rows.map((r) => r.entity),
    times: Float64Array.from(rows, (r) => r.at),
  };
}

/**
 * A spine key column's output value per row, as the column's contract type reads it
 * (null where it does not): each distinct value is coerced once per spine, not once per
 * row, while the slices come from one spine.
 */
export class KeyColumn {
  private readonly coerce: (v: unknown) => unknown;
  private of: readonly unknown[] | null = null;
  private memo: Array<Value | undefined> = [];

  constructor(
    private readonly name: string,
    type: ColumnType,
  ) {
    this.coerce = coercerFor(type);
  }

  values(slice: SpineSlice): Value[] {
    if (slice.values !== this.of) {
      this.of = slice.values;
      this.memo = [];
    }
    const out = new Array<Value>(slice.length);
    for (let i = 0; i < slice.length; i++) {
      const id = slice.ids[i]!;
      let v = this.memo[id];
      if (v === undefined) {
        const raw = this.coerce((slice.values[id] as Record<string, unknown>)[this.name] ?? null);
        v = this.memo[id] = raw === INVALID ? null : (raw as Value);
      }
      out[i] = v;
    }
    return out;
  }
}

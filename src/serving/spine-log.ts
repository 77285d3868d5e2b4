/**
 * A bulk join's spine, kept as it was read so the join never reads it again: each row
 * as the number of its distinct entity value (Int32) and its time (Float64), 12 bytes a
 * row, and each distinct entity value once, as the spine first spelled it.
 *
 * Why keep it: reading a CSV spine a second time cost as much as the first (parsing,
 * timestamps, a Map lookup per row and view), and a spine read from stdin could not be
 * read twice at all, so it was probed row by row. Numbered once, the join's per-row work
 * is array reads.
 */
import type { SpineSlice } from './spine-slice';
import { releaseBuffers } from '../lib/release-buffers';

export class SpineLog {
  private ent = new Int32Array(1 << 16);
  private time = new Float64Array(1 << 16);
  private n = 0;
  /** Each distinct entity value, as first spelled, by its number. */
  private readonly values: unknown[] = [];
  /** A scalar spine value, a one-column object's scalar value, and the rest (as JSON). */
  private readonly scalars = new Map<unknown, number>();
  private readonly singles = new Map<unknown, number>();
  private readonly composites = new Map<string, number>();

  /** `columns`: the spine's key columns, in the order composite keys are compared. */
  constructor(private readonly columns: string[]) {}

  get length(): number {
    return this.n;
  }

  /** The number of an entity value already seen, or -1. */
  find(entity: unknown): number {
    const [map, key] = this.slot(entity);
    return map.get(key) ?? -1;
  }

  /** Numbers a value not seen before (find returned -1). */
  add(entity: unknown): number {
    const [map, key] = this.slot(entity);
    const d = this.values.length;
    this.values.push(entity);
    map.set(key, d);
    return d;
  }

  /** Row `length` of the spine: entity number d at time at. */
  push(d: number, at: number): void {
    if (this.n === this.ent.length) {
      this.ent = grow(this.ent, new Int32Array(Math.max(1 << 16, this.n * 2)));
      this.time = grow(this.time, new Float64Array(Math.max(1 << 16, this.n * 2)));
    }
    this.ent[this.n] = d;
    this.time[this.n++] = at;
  }

  /** Row r's entity number. */
  entityOf(r: number): number {
    return this.ent[r]!;
  }

  timeOf(r: number): number {
    return this.time[r]!;
  }

  /** Rows [start, end) as the writers take them: views of the log's arrays, valid until release. */
  slice(start: number, end: number): SpineSlice {
    return {
      length: end - start,
      ids: this.ent.subarray(start, end),
      values: this.values,
      times: this.time.subarray(start, end),
    };
  }

  /** The kept rows' memory given back now (releaseBuffers): the log is empty after this. */
  release(): void {
    releaseBuffers([this.ent, this.time]);
    this.ent = new Int32Array(0);
    this.time = new Float64Array(0);
    this.n = 0;
  }

  /** The Map and key of an entity value: one map per form, so 'FRA' and {country: 'FRA'} stay apart. */
  private slot(entity: unknown): [Map<unknown, number>, unknown] {
    if (entity === null || typeof entity !== 'object') return [this.scalars, entity];
    if (this.columns.length === 1 && !Array.isArray(entity)) {
      const v = (entity as Record<string, unknown>)[this.columns[0]!];
      if (v === null || typeof v !== 'object') return [this.singles, v];
    }
    return [this.composites as Map<unknown, number>, compositeKey(entity, this.columns)];
  }
}

/** Several columns' values (or an array, or an object value) as one exact string. */
function compositeKey(entity: object, columns: string[]): string {
  const parts = Array.isArray(entity)
    ? ['[]', ...entity]
    : columns.map((c) => (entity as Record<string, unknown>)[c]);
  // Tagged so a bigint and a string of its digits stay two values.
  return JSON.stringify(parts, (_k, v: unknown) =>
    typeof v === 'bigint' ? { bigint: String(v) } : v === undefined ? { undefined: true } : v,
  );
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

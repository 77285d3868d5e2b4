/**
 * A bulk join's copy of the feature rows it read by entity range
 * (FeatureRepository.entityRanges): per entity, the winning row at each event time (the
 * greater rank, then the later commit, then the later row, as winner-order.ts orders
 * them), its values in columns, so a request is a binary search here instead of a probe
 * of the store.
 *
 * Rows are kept in segments of many entities' rows (an entity's rows in one): the numeric
 * features of a row side by side in one Float64Array (NaN for null: JSON, which the
 * values are stored as, has no NaN), the others in an array of values per feature. A
 * million rows of twenty numbers cost 160 MB so, and several times that as objects. Row
 * by row, not a typed array per feature: a join reads a row's features together, from
 * an entity anywhere in the cache, and twenty arrays cost twenty cache misses a row
 * where one costs two or three.
 */
import type { RangeRows } from '../store/feature-rows.types';
import { RANGE_STRIDE } from '../store/entity-ranges.sql';
import type { Value } from '../domain/value';
import { releaseBuffers } from '../lib/release-buffers';

/** Rows a segment is made for: big enough that its arrays' overhead does not count. */
const SEGMENT_ROWS = 65_536;

interface Segment {
  used: number;
  time: Float64Array;
  run: Float64Array;
  /** Row i's numeric feature at position `pos[j]` is `num[i * width + pos[j]]`. */
  num: Float64Array;
  /**
   * Per feature, its values where it is kept as values: a feature that is not numeric,
   * or a numeric one that met a value that is no number in this segment (its numbers
   * are then copied here and `num` no longer read for it).
   */
  vals: Array<Value[] | null>;
}

/** The times an entity will be asked for (ascending), to keep only the rows they find. */
export interface Asked {
  times: Float64Array;
  ttlMs: number | undefined;
}

export interface Slot {
  seg: Segment;
  start: number;
  end: number;
}

export class RangeCache {
  private readonly slots = new Map<string, Slot>();
  private readonly runSeqs = new Set<number>();
  /** What the kept rows hold, estimated: 8 bytes a number, 16 a value reference. */
  bytes = 0;
  /** The segment of the last match. */
  private hit: Segment | null = null;
  /** The segment being filled. */
  private current: Segment | null = null;

  /** Per feature, its position among a row's numbers, or -1. */
  private readonly pos: number[];
  /** Numbers a row. */
  private readonly width: number;

  /** `numeric[j]`: feature `names[j]` holds numbers (or null) and is kept in a Float64Array. */
  constructor(
    private readonly names: string[],
    private readonly numeric: boolean[],
  ) {
    let w = 0;
    this.pos = numeric.map((num) => (num ? w++ : -1));
    this.width = w;
  }

  /** The entity's rows, if they were added. */
  slot(entityKey: string): Slot | undefined {
    return this.slots.get(entityKey);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The run seqs of the kept rows. */
  runs(): number[] {
    return [...this.runSeqs];
  }

  /** Adds one entity's rows (flat, RANGE_STRIDE items a row; several rows at one time: one wins). */
  add(entityKey: string, rows: RangeRows, asked?: Asked): Slot {
    const order = asked ? matched(rows, winnerPositions(rows), asked) : winnerPositions(rows);
    let seg = this.current;
    if (!seg || seg.used + order.length > seg.time.length) seg = this.current = this.segment(order.length);
    const start = seg.used;
    let k = start;
    for (const p of order) {
      seg.time[k] = rows[p] as number;
      const run = rows[p + 4] as number;
      seg.run[k] = run;
      this.runSeqs.add(run);
      const values = rows[p + 5] as Record<string, Value>;
      const base = k * this.width;
      for (let j = 0; j < this.names.length; j++) {
        const v = values[this.names[j]!] ?? null;
        const vals = seg.vals[j];
        if (vals) vals[k] = v;
        else if (typeof v === 'number') seg.num[base + this.pos[j]!] = v;
        else if (v === null) seg.num[base + this.pos[j]!] = NaN;
        else (seg.vals[j] = this.toValues(seg, j, k))[k] = v;
      }
      k++;
    }
    seg.used = k;
    const slot = { seg, start, end: k };
    this.slots.set(entityKey, slot);
    this.bytes += 64;
    return slot;
  }

  /** The kept rows' memory given back now (releaseBuffers): nothing is found after this. */
  release(): void {
    const segs = new Set([...this.slots.values()].map((s) => s.seg));
    if (this.current) segs.add(this.current);
    releaseBuffers([...segs].flatMap((s) => [s.time, s.run, s.num]));
    this.slots.clear();
    this.current = this.hit = null;
    this.bytes = 0;
  }

  /** A new segment of SEGMENT_ROWS rows, or of one entity's rows when it has more. */
  private segment(rows: number): Segment {
    const n = Math.max(SEGMENT_ROWS, rows);
    const generic = this.numeric.filter((x) => !x).length;
    this.bytes += n * (16 + 8 * (this.numeric.length - generic) + 16 * generic);
    return {
      used: 0,
      time: new Float64Array(n),
      run: new Float64Array(n),
      num: new Float64Array(n * this.width),
      vals: this.numeric.map((num) => (num ? null : new Array<Value>(n).fill(null))),
    };
  }

  /**
   * The position of the slot's row with the greatest event time <= at (and > at - ttl),
   * or -1; `time`, `runSeq` and `value` then read it.
   */
  find(slot: Slot, at: number, ttlMs: number | undefined): number {
    const t = slot.seg.time;
    let lo = slot.start;
    let hi = slot.end;
    // The first position whose time is > at; the match is the one before it.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid]! <= at) lo = mid + 1;
      else hi = mid;
    }
    if (lo === slot.start) return -1;
    if (ttlMs !== undefined && !(t[lo - 1]! > at - ttlMs)) return -1;
    this.hit = slot.seg;
    return lo - 1;
  }

  time(i: number): number {
    return this.hit!.time[i]!;
  }

  runSeq(i: number): number {
    return this.hit!.run[i]!;
  }

  /** Feature j of row i as a number, NaN for null (or a value that is no number). */
  number(j: number, i: number): number {
    const seg = this.hit!;
    const vals = seg.vals[j];
    if (!vals) return seg.num[i * this.width + this.pos[j]!]!;
    const v = vals[i];
    return typeof v === 'number' ? v : NaN;
  }

  value(j: number, i: number): Value {
    const seg = this.hit!;
    const vals = seg.vals[j];
    if (vals) return vals[i] ?? null;
    const v = seg.num[i * this.width + this.pos[j]!]!;
    return v === v ? v : null;
  }

  /** Numeric feature j of a segment's first `upTo` rows, as values: it met a value that is no number. */
  private toValues(seg: Segment, j: number, upTo: number): Value[] {
    const out = new Array<Value>(seg.time.length).fill(null);
    for (let i = 0; i < upTo; i++) {
      const v = seg.num[i * this.width + this.pos[j]!]!;
      out[i] = v === v ? v : null;
    }
    return out;
  }
}

/**
 * The start of each event time's winning row, in event-time order. The store sends the
 * rows in that order (the index's); they are sorted here only if they are not.
 */
function winnerPositions(rows: RangeRows): number[] {
  let starts: number[] = [];
  for (let p = 0; p < rows.length; p += RANGE_STRIDE) starts.push(p);
  for (let i = 1; i < starts.length; i++) {
    if ((rows[starts[i]!] as number) < (rows[starts[i - 1]!] as number)) {
      starts = starts.sort((a, b) => (rows[a] as number) - (rows[b] as number) || a - b);
      break;
    }
  }
  const out: number[] = [];
  for (const p of starts) {
    const last = out.length - 1;
    if (last >= 0 && rows[out[last]!] === rows[p]) {
      if (beats(rows, p, out[last]!)) out[last] = p;
    } else out.push(p);
  }
  return out;
}

/**
 * The winners some request matches: a row no request finds (a newer one comes before
 * the next request) is not kept. A request finds the newest winner at or before it,
 * which is kept, so every answer stays what it was with all rows.
 */
function matched(rows: RangeRows, order: number[], asked: Asked): number[] {
  const { times, ttlMs } = asked;
  const out: number[] = [];
  let t = 0;
  for (let w = 0; w < order.length; w++) {
    const time = rows[order[w]!] as number;
    const next = w + 1 < order.length ? (rows[order[w + 1]!] as number) : Infinity;
    while (t < times.length && times[t]! < time) t++;
    // The earliest request in [time, next) is the likeliest within the TTL.
    if (t < times.length && times[t]! < next && (ttlMs === undefined || time > times[t]! - ttlMs))
      out.push(order[w]!);
  }
  return out;
}

/** Row at a wins over row at b (same event time): the greater rank, then the later commit, then the later row. */
function beats(rows: RangeRows, a: number, b: number): boolean {
  for (let k = 1; k <= 3; k++) {
    const x = rows[a + k] as number;
    const y = rows[b + k] as number;
    if (x !== y) return x > y;
  }
  return false;
}

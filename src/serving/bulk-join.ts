/**
 * The point-in-time join of a big spine, in two passes over it. The first (`count`)
 * checks every row and counts, per view, how often and over which times each entity is
 * asked for; `load` then reads, for each entity asked for at least once per
 * ROWS_PER_REQUEST rows in that time range, all those rows at once into a RangeCache;
 * the second pass (`join`) answers those entities' requests from memory and probes the
 * store (FeatureRepository.eachPointInTime) for the rest.
 *
 * Why: a probe costs a few index walks per request, however often its entity comes
 * back; a range read costs a walk per entity and a step per row. A spine that asks each
 * entity a hundred times over its history (a training set's usual shape) costs a few
 * million probes, or one read of each entity's rows. The count decides per entity, so a
 * long history asked for once is still probed, and the memory the cache may take is
 * bounded (`maxBytes`): the entities past it are probed too.
 *
 * Each spine key is encoded once per request, not once per chunk: the entries are kept
 * by the spine's own value between the passes.
 *
 * The answer is the same either way (test/serving/bulk-join.test.ts compares them).
 */
import type { FeatureRepository, PointRequest } from '../store/feature.repository';
import type { EntityRange } from '../store/entity-ranges.sql';
import type { RunInfo } from '../store/point-in-time.sql';
import type { Value } from '../domain/value';
import type { PlannedView, TrainingPlan } from './multi-view';
import { RangeCache, type Slot } from './range-cache';
import {
  cacheable,
  checkSpine,
  encodeKey,
  noMatches,
  rawKey,
  type JoinedChunk,
  type JoinedColumn,
  type RowLabel,
  type SpineRow,
} from './spine-join';

/** Features whose values are numbers (or null), kept and joined in Float64Arrays. */
const numeric = (t: string): boolean => t === 'integer' || t === 'number';

/** A range read is worth it while it reads at most this many rows per request it answers. */
export const ROWS_PER_REQUEST = 2;
/**
 * Fewer requests than this are probed: a range read walks the index three times (the
 * range's start, its count, its rows) where a probe walks it twice.
 */
export const MIN_REQUESTS = 3;
/** Entities per range statement: small, so each statement's text is garbage young. */
const RANGE_BATCH = 100;

/** What the spine asks of one entity of one view. */
interface Entry {
  key: string;
  n: number;
  from: number;
  to: number;
  /** Its index in the order entries were made (AskLog's entity numbers). */
  idx: number;
  /** Its rows in the cache, once loaded. */
  slot?: Slot;
}

export type BulkStore = Pick<FeatureRepository, 'eachPointInTime' | 'eachEntityRange' | 'runsBySeq'>;

export interface BulkJoinStats {
  /** Per view: entities read by range, and entities left to probes. */
  cached: number[];
  probed: number[];
  cacheBytes: number;
}

export class BulkJoin {
  /** Per view, by the spine's raw key (rawKey). */
  private readonly entries: Array<Map<unknown, Entry>>;
  private readonly caches: RangeCache[];
  private readonly runs = new Map<number, RunInfo>();
  /** Per view, every request's entity and time, until load: only the rows they find are kept. */
  private readonly asks: AskLog[];

  constructor(
    private readonly store: BulkStore,
    private readonly plan: TrainingPlan,
    private readonly maxBytes: number,
  ) {
    this.entries = plan.views.map(() => new Map());
    this.asks = plan.views.map(() => new AskLog());
    this.caches = plan.views.map((v) => new RangeCache(v.names, v.types.map(numeric)));
  }

  /** First pass: one chunk of the spine, checked as the join checks it, counted per entity. */
  count(rows: SpineRow[], label: RowLabel): void {
    checkSpine(this.plan, rows, label);
    this.plan.views.forEach((v, vi) => {
      const entries = this.entries[vi]!;
      for (let i = 0; i < rows.length; i++) {
        const { entity, at } = rows[i]!;
        const raw = rawKey(v, entity);
        const e = cacheable(raw) ? entries.get(raw) : undefined;
        if (e) {
          e.n++;
          this.asks[vi]!.push(e.idx, at);
          if (at < e.from) e.from = at;
          if (at > e.to) e.to = at;
        } else {
          const key = encodeKey(v, entity, label, i);
          if (cacheable(raw)) {
            const idx = entries.size;
            entries.set(raw, { key, n: 1, from: at, to: at, idx });
            this.asks[vi]!.push(idx, at);
          }
        }
      }
    });
  }

  /** Reads the ranges worth reading, in key order, the next batch's statement running while one is kept. */
  async load(): Promise<void> {
    for (let vi = 0; vi < this.plan.views.length; vi++) await this.loadView(this.plan.views[vi]!, vi);
    const seqs = new Set<number>();
    for (const c of this.caches) for (const s of c.runs()) seqs.add(s);
    for (const [seq, info] of await this.store.runsBySeq([...seqs])) this.runs.set(seq, info);
  }

  private async loadView(v: PlannedView, vi: number): Promise<void> {
    const cache = this.caches[vi]!;
    const times = this.asks[vi]!.byEntity(this.entries[vi]!.size);
    this.asks[vi] = new AskLog();
    const byKey = new Map<string, Entry>();
    for (const e of this.entries[vi]!.values()) byKey.set(e.key, e);
    const ranges: EntityRange[] = [...byKey.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .filter((e) => e.n >= MIN_REQUESTS)
      .map((e) => ({ entityKey: e.key, from: e.from, to: e.to, cap: e.n * ROWS_PER_REQUEST }));
    const read = (start: number) =>
      this.store.eachEntityRange(
        v.view,
        ranges.slice(start, start + RANGE_BATCH),
        { knownAt: this.plan.knownAt, ttlMs: v.ttlMs },
        (key, rows) => {
          const e = byKey.get(key)!;
          if (rows && this.bytes() < this.maxBytes)
            e.slot = cache.add(key, rows, { times: times.of(e.idx), ttlMs: v.ttlMs });
        },
      );
    // The next batch's statement runs while this one's rows are decoded.
    let pending = ranges.length ? read(0) : null;
    for (let start = 0; pending; start += RANGE_BATCH) {
      const more = start + RANGE_BATCH < ranges.length && this.bytes() < this.maxBytes;
      const after = more ? read(start + RANGE_BATCH) : null;
      after?.catch(() => undefined);
      await pending;
      pending = after;
    }
  }

  private bytes(): number {
    return this.caches.reduce((s, c) => s + c.bytes, 0);
  }

  stats(): BulkJoinStats {
    const cached = this.entries.map((m) => [...m.values()].filter((e) => e.slot).length);
    return {
      cached,
      probed: this.entries.map((m, vi) => m.size - cached[vi]!),
      cacheBytes: this.bytes(),
    };
  }

  /** Second pass: one chunk joined, from the cache where the entity was read, by probes elsewhere. */
  async join(rows: SpineRow[], label: RowLabel): Promise<JoinedChunk> {
    const plan = this.plan;
    const n = rows.length;
    checkSpine(plan, rows, label);
    // Numeric features in typed columns: a million rows of boxed numbers kept the collector busy.
    const values: JoinedColumn[] = plan.columns.map((c) =>
      numeric(c.type) ? new Float64Array(n).fill(NaN) : new Array<Value>(n).fill(null),
    );
    const matches = noMatches(plan, n);
    await Promise.all(
      plan.views.map((v, vi) => {
        const m = matches[vi]!;
        const cache = this.caches[vi]!;
        const entries = this.entries[vi]!;
        const cols = plan.columns.flatMap((c, k) =>
          c.view === vi ? [{ feature: c.feature, out: values[k]! }] : [],
        );
        const typed = cols.filter(
          (c): c is { feature: number; out: Float64Array } => c.out instanceof Float64Array,
        );
        const plain = cols.filter(
          (c): c is { feature: number; out: Value[] } => !(c.out instanceof Float64Array),
        );
        const probe: PointRequest[] = [];
        const probeAt: number[] = [];
        for (let i = 0; i < n; i++) {
          const { entity, at } = rows[i]!;
          const raw = rawKey(v, entity);
          let e = cacheable(raw) ? entries.get(raw) : undefined;
          if (!e?.slot) {
            // A spine read once (no first pass) meets its keys here: each is encoded once.
            if (!e) {
              e = { key: encodeKey(v, entity, label, i), n: 0, from: at, to: at, idx: -1 };
              if (cacheable(raw)) entries.set(raw, e);
            }
            probe.push({ entityKey: e.key, at });
            probeAt.push(i);
            continue;
          }
          const p = cache.find(e.slot, at, v.ttlMs);
          if (p < 0) continue;
          const run = this.runs.get(cache.runSeq(p));
          m.eventTime[i] = cache.time(p);
          m.runId[i] = run?.runId ?? null;
          m.contractVersion[i] = run?.contractVersion ?? null;
          for (const c of typed) c.out[i] = cache.number(c.feature, p);
          for (const c of plain) c.out[i] = cache.value(c.feature, p);
        }
        if (probe.length === 0) return undefined;
        const names = v.names;
        return this.store.eachPointInTime(
          v.view,
          probe,
          { ttlMs: v.ttlMs, knownAt: plan.knownAt },
          (k, match) => {
            const i = probeAt[k]!;
            m.eventTime[i] = match.eventTime;
            m.runId[i] = match.runId;
            m.contractVersion[i] = match.contractVersion;
            for (const c of typed) {
              const x = match.values[names[c.feature]!];
              c.out[i] = typeof x === 'number' ? x : NaN;
            }
            for (const c of plain) c.out[i] = match.values[names[c.feature]!] ?? null;
          },
        );
      }),
    );
    return { length: n, values, matches };
  }
}

/** Request (entity number, time) pairs in typed arrays: two million of them as JS arrays doubled the heap. */
class AskLog {
  private ent = new Int32Array(1 << 16);
  private at = new Float64Array(1 << 16);
  private n = 0;

  push(entity: number, at: number): void {
    if (this.n === this.ent.length) {
      const ent = new Int32Array(this.n * 2);
      ent.set(this.ent);
      const times = new Float64Array(this.n * 2);
      times.set(this.at);
      this.ent = ent;
      this.at = times;
    }
    this.ent[this.n] = entity;
    this.at[this.n++] = at;
  }

  /** Each entity's times, ascending (a counting sort by entity, then each entity's few sorted). */
  byEntity(entities: number): { of(entity: number): Float64Array } {
    const start = new Int32Array(entities + 1);
    for (let i = 0; i < this.n; i++) start[this.ent[i]! + 1]! += 1;
    for (let e = 0; e < entities; e++) start[e + 1]! += start[e]!;
    const next = start.slice(0, entities);
    const sorted = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) sorted[next[this.ent[i]!]!++] = this.at[i]!;
    return { of: (e) => sorted.subarray(start[e]!, start[e + 1]!).sort() };
  }
}

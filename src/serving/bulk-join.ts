/**
 * The point-in-time join of a big spine, in three steps. `count` takes the spine as it
 * is read, checks every row, keeps it (SpineLog: 12 bytes a row) and counts, per view,
 * how often and over which times each entity is asked for; `load` then reads, for each
 * entity asked for at least once per ROWS_PER_REQUEST rows in that time range, all
 * those rows at once into a RangeCache; `join` answers the kept spine's rows, a chunk
 * at a time, from memory for those entities and by probes of the store
 * (FeatureRepository.eachPointInTime) for the rest.
 *
 * Why: a probe costs a few index walks per request, however often its entity comes
 * back; a range read costs a walk per entity and a step per row. A spine that asks each
 * entity a hundred times over its history (a training set's usual shape) costs a few
 * million probes, or one read of each entity's rows. The count decides per entity, so a
 * long history asked for once is still probed, and the memory the cache may take is
 * bounded (`maxBytes`): the entities past it are probed too.
 *
 * Each distinct spine value is encoded once per view, when it is first read (a bad key
 * is refused then, naming its row); spellings that encode to one entity share its entry.
 *
 * The answer is the same either way (test/serving/bulk-join.test.ts compares them).
 */
import type { FeatureRepository } from '../store/feature.repository';
import type { PointRequest } from '../store/feature-rows.types';
import type { EntityRange } from '../store/entity-ranges.sql';
import type { RunInfo } from '../store/point-in-time.sql';
import type { Value } from '../domain/value';
import type { PlannedView, TrainingPlan } from './multi-view';
import { RangeCache, type Slot } from './range-cache';
import { SpineLog } from './spine-log';
import type { SpineSlice } from './spine-slice';
import {
  checkSpine,
  encodeKey,
  noMatches,
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
/**
 * Entities per range statement: small, so each statement's text is garbage young. Its
 * rows' text is held until the statement's last entity is kept: at 100 entities it
 * outlived young collections, and the old generation grew by 120 MB over a million-row
 * join; at 25 it did not, and the reads were no slower.
 */
const RANGE_BATCH = 25;

/** What the spine asks of one entity of one view. */
interface Entry {
  key: string;
  n: number;
  from: number;
  to: number;
  /** Its rows in the cache, once loaded. */
  slot?: Slot;
}

/** One view's entities: entries by encoded key, and each spine value's entry. */
interface ViewEntities {
  entries: Entry[];
  byKey: Map<string, number>;
  /** By spine entity number (SpineLog), the entry's number. */
  ofValue: number[];
}

export type BulkStore = Pick<FeatureRepository, 'eachPointInTime' | 'eachEntityRange' | 'runsBySeq'>;

export interface BulkJoinStats {
  /** Per view: entities read by range, and entities left to probes. */
  cached: number[];
  probed: number[];
  cacheBytes: number;
}

export class BulkJoin {
  private readonly spine: SpineLog;
  private readonly views: ViewEntities[];
  private readonly caches: RangeCache[];
  private readonly runs = new Map<number, RunInfo>();

  constructor(
    private readonly store: BulkStore,
    private readonly plan: TrainingPlan,
    private readonly maxBytes: number,
  ) {
    this.spine = new SpineLog(plan.spineColumns.map((c) => c.name));
    this.views = plan.views.map(() => ({ entries: [], byKey: new Map(), ofValue: [] }));
    this.caches = plan.views.map((v) => new RangeCache(v.names, v.types.map(numeric)));
  }

  /** Spine rows counted so far. */
  get length(): number {
    return this.spine.length;
  }

  /** One chunk of the spine as it is read: checked as the join checks it, kept, counted per entity. */
  count(rows: SpineRow[], label: RowLabel): void {
    checkSpine(this.plan, rows, label);
    const views = this.views;
    for (let i = 0; i < rows.length; i++) {
      const { entity, at } = rows[i]!;
      let d = this.spine.find(entity);
      if (d < 0) d = this.number(entity, label, i);
      this.spine.push(d, at);
      for (let vi = 0; vi < views.length; vi++) {
        const e = views[vi]!.entries[views[vi]!.ofValue[d]!]!;
        e.n++;
        if (at < e.from) e.from = at;
        if (at > e.to) e.to = at;
      }
    }
  }

  /** A spine value not seen before: its key in every view (refused here, naming row i, when bad). */
  private number(entity: unknown, label: RowLabel, i: number): number {
    const keys = this.plan.views.map((v) => encodeKey(v, entity, label, i));
    const d = this.spine.add(entity);
    keys.forEach((key, vi) => {
      const V = this.views[vi]!;
      let k = V.byKey.get(key);
      if (k === undefined) {
        k = V.entries.length;
        V.entries.push({ key, n: 0, from: Infinity, to: -Infinity });
        V.byKey.set(key, k);
      }
      V.ofValue[d] = k;
    });
    return d;
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
    const { entries } = this.views[vi]!;
    const times = this.timesByEntry(vi);
    const order = entries
      .map((e, k) => ({ e, k }))
      .filter(({ e }) => e.n >= MIN_REQUESTS)
      .sort((a, b) => (a.e.key < b.e.key ? -1 : a.e.key > b.e.key ? 1 : 0));
    const byKey = this.views[vi]!.byKey;
    const ranges: EntityRange[] = order.map(({ e }) => ({
      entityKey: e.key,
      from: e.from,
      to: e.to,
      cap: e.n * ROWS_PER_REQUEST,
    }));
    const read = (start: number) =>
      this.store.eachEntityRange(
        v.view,
        ranges.slice(start, start + RANGE_BATCH),
        { knownAt: this.plan.knownAt, ttlMs: v.ttlMs },
        (key, rows) => {
          const k = byKey.get(key)!;
          if (rows && this.bytes() < this.maxBytes)
            entries[k]!.slot = cache.add(key, rows, { times: times.of(k), ttlMs: v.ttlMs });
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

  /** Each entry's request times, ascending: a counting sort of the spine by entry, then each entry's few sorted. */
  private timesByEntry(vi: number): { of(k: number): Float64Array } {
    const { entries, ofValue } = this.views[vi]!;
    const spine = this.spine;
    const start = new Int32Array(entries.length + 1);
    for (let r = 0; r < spine.length; r++) start[ofValue[spine.entityOf(r)]! + 1]! += 1;
    for (let k = 0; k < entries.length; k++) start[k + 1]! += start[k]!;
    const next = start.slice(0, entries.length);
    const sorted = new Float64Array(spine.length);
    for (let r = 0; r < spine.length; r++) sorted[next[ofValue[spine.entityOf(r)]!]!++] = spine.timeOf(r);
    return { of: (k) => sorted.subarray(start[k]!, start[k + 1]!).sort() };
  }

  private bytes(): number {
    return this.caches.reduce((s, c) => s + c.bytes, 0);
  }

  stats(): BulkJoinStats {
    const cached = this.views.map((V) => V.entries.filter((e) => e.slot).length);
    return {
      cached,
      probed: this.views.map((V, vi) => V.entries.length - cached[vi]!),
      cacheBytes: this.bytes(),
    };
  }

  /**
   * The kept spine's and rows' memory given back now, not at the collector's next full
   * collection (a million-row join keeps ~150 MB, which a next request would otherwise
   * allocate beside it): the join answers nothing after this.
   */
  release(): void {
    this.spine.release();
    for (const c of this.caches) c.release();
    for (const V of this.views) for (const e of V.entries) e.slot = undefined;
  }

  /** The counted spine's rows [start, end), joined: from the cache where the entity was read, by probes elsewhere. */
  async join(start: number, end: number): Promise<{ rows: SpineSlice; joined: JoinedChunk }> {
    const plan = this.plan;
    const spine = this.spine;
    const n = end - start;
    // Numeric features in typed columns: a million rows of boxed numbers kept the collector busy.
    const values: JoinedColumn[] = plan.columns.map((c) =>
      numeric(c.type) ? new Float64Array(n).fill(NaN) : new Array<Value>(n).fill(null),
    );
    const matches = noMatches(plan, n);
    await Promise.all(
      plan.views.map((v, vi) => {
        const m = matches[vi]!;
        const cache = this.caches[vi]!;
        const { entries, ofValue } = this.views[vi]!;
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
          const e = entries[ofValue[spine.entityOf(start + i)]!]!;
          const at = spine.timeOf(start + i);
          if (!e.slot) {
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
    return { rows: spine.slice(start, end), joined: { length: n, values, matches } };
  }
}

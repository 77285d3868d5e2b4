/**
 * BulkJoin (src/serving/bulk-join.ts) answers a spine exactly as the per-request probe
 * join (joinSpine) does, chunk by chunk, whether an entity's requests are answered from
 * the range cache or probed: the same values (numeric columns compared through valueAt),
 * event time, run id and contract version per spine row and view.
 *
 * On a real store (this leg's engine), two views with many entities and histories that
 * hold several runs, a rolled-back run, a reprocess whose rows tie with its original's at
 * the same event times (its precedence puts it between the original and a later
 * correction), duplicate rows of one run at one time (the row id decides), a run that
 * never committed, rows committed after a knownAt, null and missing values, and integer,
 * number, string and boolean features. The spine is seeded random: hot entities asked
 * many times (cached), others asked once or twice far apart (probed: their ranges pass
 * the cap), keys the store never saw, a key spelled with spaces, requests before an
 * entity's first row and on the TTL's boundaries. Both joins are also checked against a
 * brute-force reference of the point-in-time rule, so agreeing on a wrong answer fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { insertCommittedRun, insertRun } from '../support/fixtures';
import { BulkJoin, MIN_REQUESTS, type BulkStore } from '../../src/serving/bulk-join';
import { encodeKey, joinSpine, valueAt, type JoinedChunk, type SpineRow } from '../../src/serving/spine-join';
import type { MultiTrainingQuery, TrainingPlan } from '../../src/serving/multi-view';
import type { Value } from '../../src/domain/value';
// The bench's seeded generator (mulberry32), so a failure replays.
import { rng } from '../../bench/lib/rng';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Event times start here. */
const T0 = Date.UTC(2024, 2, 1);
const DAYS = 40;
const CHUNK = 7;

const contract = (name: string, key: string, f: FeatureNames, version: string, extra: boolean) => `
name: ${name}
version: ${version}
owner: tests
entity: { name: ${key}, key: [${key}] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: ${key}, type: string, required: true }
  - { name: ${f.int}, type: integer }
  - { name: ${f.num}, type: number }
  - { name: ${f.str}, type: string }
  - { name: ${f.bool}, type: boolean }${extra ? '\n  - { name: extra, type: number }' : ''}
expectations: []
features:
  - { name: ${f.int}, column: ${f.int} }
  - { name: ${f.num}, column: ${f.num} }
  - { name: ${f.str}, column: ${f.str} }
  - { name: ${f.bool}, column: ${f.bool} }${extra ? '\n  - { name: extra, column: extra }' : ''}
`;

interface FeatureNames {
  int: string;
  num: string;
  str: string;
  bool: string;
}
const CASES: FeatureNames = { int: 'count', num: 'rate', str: 'note', bool: 'open' };
const WEATHER: FeatureNames = { int: 'level', num: 'temp', str: 'label', bool: 'hot' };

/** System times: C1 < C2 < K0 < C3 < C4 < K1 < C5 (R3 rolled back) < C6 < C7. */
const C1 = Date.UTC(2024, 8, 1);
const C2 = C1 + HOUR;
const K0 = C1 + 90 * 60_000;
const C3 = C1 + 2 * HOUR;
const C4 = C1 + 3 * HOUR;
const K1 = C1 + 3.5 * HOUR;
const C5 = C1 + 4 * HOUR;
const C6 = C1 + 5 * HOUR;
const C7 = C1 + 6 * HOUR;

/** A stored run as the reference sees it. */
interface RefRun {
  id: string;
  version: string;
  committedAt: number | null;
  invalidatedAt: number | null;
  precedence: number | null;
}
/** A stored row; `seq` is its insertion order (the row id's order). */
interface RefRow {
  key: string;
  eventTime: number;
  values: Record<string, Value>;
  run: RefRun;
  seq: number;
}

/** One spine row joined: each column's value, and per view the matched row's time, run and version. */
interface JoinedRow {
  i: number;
  entity: unknown;
  at: number;
  values: Record<string, Value>;
  views: Array<{ eventTime: number | null; runId: string | null; contractVersion: string | null }>;
}

/** Entity 300 has a key that quoting, JSON and arrays must carry as it is. */
const TRICKY = 300;
const name = (e: number) => (e === TRICKY ? `Ö'"{a,b}\\ [x] 300` : `e${String(e).padStart(3, '0')}`);
/** Cases holds e000..e129 (e000..e011 with long histories); weather e000..e059 and e200..e203; both the tricky key. */
const CASE_ENTITIES = [...Array.from({ length: 130 }, (_, e) => e), TRICKY];
const WEATHER_ENTITIES = [...Array.from({ length: 60 }, (_, e) => e), 200, 201, 202, 203, TRICKY];
const HOT = 12;

describe(`BulkJoin answers as joinSpine does (${testEngine()})`, () => {
  let rt: TestRuntime;
  const stored = { cases: [] as RefRow[], weather: [] as RefRow[] };
  /** Event times per view and entity name, for requests on and around them. */
  const times = { cases: new Map<string, number[]>(), weather: new Map<string, number[]>() };
  let seq = 0;

  beforeAll(async () => {
    rt = await createTestRuntime({
      contracts: [
        contract('cases', 'country', CASES, '1.0.0', false),
        contract('weather', 'iso', WEATHER, '1.0.0', false),
      ],
    });
    await rt.apply(
      contract('cases', 'country', CASES, '1.1.0', true),
      contract('weather', 'iso', WEATHER, '1.1.0', true),
    );
    const plan = await rt.features.planTrainingSet(query({}));
    await populate('cases', CASES, CASE_ENTITIES, (n) => plan.views[0]!.key.fromInput(n), 11);
    await populate('weather', WEATHER, WEATHER_ENTITIES, (n) => plan.views[1]!.key.fromInput(n), 29);
  }, 120_000);
  afterAll(() => rt?.dispose());

  async function populate(
    view: 'cases' | 'weather',
    f: FeatureNames,
    entities: number[],
    encode: (name: string) => string,
    seed: number,
  ): Promise<void> {
    const rnd = rng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const run = async (
      version: string,
      committedAt: number | null,
      over: { invalidatedAt?: number; precedence?: number } = {},
    ): Promise<RefRun> => {
      const r =
        committedAt === null
          ? await insertRun(rt.store, { contractName: view, contractVersion: version, status: 'running' })
          : await insertCommittedRun(rt.store, committedAt, {
              contractName: view,
              contractVersion: version,
              precedence: over.precedence ?? null,
              invalidatedAt: over.invalidatedAt ?? null,
            });
      return {
        id: r.id,
        version,
        committedAt,
        invalidatedAt: over.invalidatedAt ?? null,
        precedence: over.precedence ?? null,
      };
    };
    const original = await run('1.0.0', C1);
    const correction = await run('1.0.0', C2);
    const rolledBack = await run('1.0.0', C3, { invalidatedAt: C5 });
    // A reprocess of the original: it keeps the original's precedence, so its rows beat
    // the original's at the same time (later commit) but not the correction's.
    const reprocess = await run('1.1.0', C4, { precedence: C1 });
    const late = await run('1.1.0', C6);
    const neverCommitted = await run('1.0.0', null);
    const duplicates = await run('1.0.0', C7);

    const values = (r: RefRun, e: number, t: number, i: number): Record<string, Value> => {
      const out: Record<string, Value> = {};
      const x = rnd();
      // A null in one feature or another, now and then; a missing key once in a while.
      if (x > 0.1) out[f.int] = x > 0.95 ? 2 ** 40 + i : Math.round((rnd() - 0.3) * 1_000);
      else if (x > 0.05) out[f.int] = null;
      out[f.num] = rnd() < 0.15 ? null : pick([0, -0.5, 1e-9, Math.round(rnd() * 1e6) / 100]);
      out[f.str] = rnd() < 0.15 ? null : pick(['', `${r.id}:${name(e)}:${t - T0}`, 'ünïcødé, "quoted"']);
      const b = rnd();
      if (b < 0.9) out[f.bool] = b < 0.15 ? null : b < 0.5;
      if (r.version === '1.1.0' && rnd() < 0.8) out.extra = Math.round(rnd() * 100) / 10;
      return out;
    };
    const rowsOf = new Map<RefRun, RefRow[]>();
    const add = (r: RefRun, e: number, eventTime: number) => {
      const row: RefRow = {
        key: encode(name(e)),
        eventTime,
        values: values(r, e, eventTime, seq++),
        run: r,
        seq: -1, // set when stored
      };
      if (!rowsOf.has(r)) rowsOf.set(r, []);
      rowsOf.get(r)!.push(row);
      return row;
    };
    for (const e of entities) {
      const hot = e < HOT || e === TRICKY;
      // Hot entities: a row most days (some at odd hours); the others a few rows.
      const days = Array.from({ length: DAYS }, (_, d) => d).filter(() => rnd() < (hot ? 0.6 : 0.08));
      if (days.length === 0) days.push(Math.floor(rnd() * DAYS));
      const base = days.map((d) => T0 + d * DAY + (rnd() < 0.3 ? Math.floor(rnd() * 20) * HOUR : 0));
      for (const t of base) add(original, e, t);
      for (const t of base) if (rnd() < 0.7) add(reprocess, e, t);
      for (const t of base) if (rnd() < 0.3) add(correction, e, t);
      for (const t of base) if (rnd() < 0.25) add(rolledBack, e, t);
      for (const t of base) if (rnd() < 0.2) add(neverCommitted, e, t);
      // Rows at new times, in later runs.
      for (let k = 0; k < (hot ? 4 : 1); k++) {
        const t = T0 + Math.floor(rnd() * DAYS * 24) * HOUR + 1;
        add(pick([correction, rolledBack, late, late]), e, t);
      }
      if (hot) for (const t of base) if (rnd() < 0.15) add(late, e, t);
      if (rnd() < 0.5) add(duplicates, e, pick(base));
      const all = [...rowsOf.values()].flat().filter((r) => r.key === encode(name(e)));
      times[view].set(
        name(e),
        [...new Set(all.map((r) => r.eventTime))].sort((a, b) => a - b),
      );
    }
    const fv = { environment: 'dev' as const, contract: view, major: 1 };
    // Runs' rows stored newest run first: the reprocess's rows get smaller ids than its
    // original's, so the commit time, not the row id, must decide between them.
    for (const [r, rows] of [...rowsOf].reverse()) {
      for (const x of rows) x.seq = seq++;
      await rt.store.features.insertMany(
        r.id,
        fv,
        rows.map((x) => ({ entityKey: x.key, eventTime: x.eventTime, values: x.values })),
      );
      stored[view].push(...rows);
    }
    // The same run, the same entity and time, stored twice: the later row (greater id) wins.
    for (const row of (rowsOf.get(duplicates) ?? []).slice()) {
      const again = { ...row, values: { ...row.values, [f.str]: `again ${row.seq}` }, seq: seq++ };
      await rt.store.features.insertMany(duplicates.id, fv, [
        { entityKey: again.key, eventTime: again.eventTime, values: again.values },
      ]);
      stored[view].push(again);
    }
  }

  function query(over: {
    knownAt?: number;
    ttl?: [string | undefined, string | undefined];
    version?: string;
  }): MultiTrainingQuery {
    const [caseTtl, weatherTtl] = over.ttl ?? [undefined, undefined];
    return {
      environment: 'dev',
      fullFeatureNames: true,
      knownAt: over.knownAt === undefined ? undefined : new Date(over.knownAt),
      views: [
        { contract: 'cases', ttl: caseTtl, version: over.version },
        { contract: 'weather', keyMap: { iso: 'country' }, ttl: weatherTtl },
      ],
    };
  }

  /** The spine: hot entities many times, the others once or twice far apart, unknown keys, odd spellings. */
  function spine(seed: number, ttls: number[]): SpineRow[] {
    const rnd = rng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const rows: SpineRow[] = [];
    const near = (e: string): number => {
      const ts = [...(times.cases.get(e) ?? []), ...(times.weather.get(e) ?? [])];
      if (ts.length === 0 || rnd() < 0.3) return T0 - 2 * DAY + Math.floor(rnd() * (DAYS + 4) * DAY);
      const t = pick(ts);
      // On a row's time, just before it, or on a TTL's boundary (in or out by one ms).
      return t + pick([0, 0, -1, 1, ...ttls, ...ttls.map((x) => x - 1), Math.floor(rnd() * DAY)]);
    };
    for (const e of [...Array.from({ length: HOT }, (_, k) => k), TRICKY]) {
      for (let k = 0; k < 40; k++) rows.push({ entity: name(e), at: near(name(e)) });
      // Before the entity's first row.
      rows.push({ entity: name(e), at: T0 - DAY });
    }
    // The same key spelled with spaces: another spine value, the same entity.
    for (let k = 0; k < 5; k++) rows.push({ entity: ` ${name(3)} `, at: near(name(3)) });
    // A key given as {spine column: value}: the same entry as the scalar.
    for (let k = 0; k < 5; k++) rows.push({ entity: { country: name(5) }, at: near(name(5)) });
    for (const e of [...CASE_ENTITIES.slice(HOT, -1), 200, 201, 202, 203]) {
      const ts = [...(times.cases.get(name(e)) ?? []), ...(times.weather.get(name(e)) ?? [])];
      if (rnd() < 0.4) {
        // Twice, far apart: a range over the whole history, more rows than two requests' cap.
        rows.push({ entity: name(e), at: T0 - DAY }, { entity: name(e), at: T0 + (DAYS + 1) * DAY });
      } else rows.push({ entity: name(e), at: ts.length && rnd() < 0.7 ? pick(ts) : near(name(e)) });
    }
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j <= k; j++) rows.push({ entity: `absent${k}`, at: near('none') });
    }
    // Shuffled: an entity's requests spread over the chunks, out of time order.
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    return rows;
  }

  const chunks = (rows: SpineRow[]): SpineRow[][] =>
    Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, c) => rows.slice(c * CHUNK, (c + 1) * CHUNK));
  const label = (i: number) => `rows[${i}]`;

  /** Per spine row: every column's value (through valueAt), and per view the matched row's time, run and version. */
  function table(plan: TrainingPlan, rows: SpineRow[], joined: JoinedChunk[]): JoinedRow[] {
    const out: JoinedRow[] = [];
    let i = 0;
    for (const chunk of joined) {
      expect(chunk.values.every((col) => col.length === chunk.length)).toBe(true);
      for (let k = 0; k < chunk.length; k++, i++) {
        out.push({
          i,
          entity: rows[i]!.entity,
          at: rows[i]!.at,
          values: Object.fromEntries(plan.columns.map((c, j) => [c.name, valueAt(chunk.values[j]!, k)])),
          views: chunk.matches.map((m) => ({
            eventTime: Number.isNaN(m.eventTime[k]) ? null : m.eventTime[k]!,
            runId: m.runId[k] as string | null,
            contractVersion: m.contractVersion[k] as string | null,
          })),
        });
      }
    }
    expect(i).toBe(rows.length);
    return out;
  }

  /** The point-in-time rule, by brute force over the stored rows. */
  function reference(plan: TrainingPlan, rows: SpineRow[]): JoinedRow[] {
    const visible = (r: RefRun) => {
      if (r.committedAt === null) return false;
      if (plan.knownAt === undefined) return r.invalidatedAt === null;
      return r.committedAt <= plan.knownAt && (r.invalidatedAt === null || r.invalidatedAt > plan.knownAt);
    };
    const order = (a: RefRow, b: RefRow) =>
      a.eventTime - b.eventTime ||
      (a.run.precedence ?? a.run.committedAt!) - (b.run.precedence ?? b.run.committedAt!) ||
      a.run.committedAt! - b.run.committedAt! ||
      a.seq - b.seq;
    return rows.map((s, i) => {
      const views = plan.views.map((v) => {
        const key = encodeKey(v, s.entity, label, i);
        let best: RefRow | null = null;
        // Every stored row is in dev.
        for (const r of v.view.environment === 'dev' ? stored[v.contract.name as 'cases' | 'weather'] : []) {
          if (r.key !== key || r.eventTime > s.at || !visible(r.run)) continue;
          if (v.ttlMs !== undefined && !(r.eventTime > s.at - v.ttlMs)) continue;
          if (v.view.version !== undefined && r.run.version !== v.view.version) continue;
          if (best === null || order(r, best) > 0) best = r;
        }
        return best;
      });
      return {
        i,
        entity: s.entity,
        at: s.at,
        values: Object.fromEntries(
          plan.columns.map((c) => [
            c.name,
            views[c.view]?.values[plan.views[c.view]!.names[c.feature]!] ?? null,
          ]),
        ),
        views: views.map((m) => ({
          eventTime: m?.eventTime ?? null,
          runId: m?.run.id ?? null,
          contractVersion: m?.run.version ?? null,
        })),
      };
    });
  }

  /** Both joins over the same chunks: the bulk one counted over all of them first. */
  async function both(plan: TrainingPlan, rows: SpineRow[], maxBytes: number) {
    // The store as the bulk join sees it, counting the requests it probes.
    const features = rt.store.features;
    let probes = 0;
    const probedKeys = new Set<string>();
    const store: BulkStore = {
      eachPointInTime: (view, requests, opts, each) => {
        probes += requests.length;
        for (const r of requests) probedKeys.add(r.entityKey);
        return features.eachPointInTime(view, requests, opts, each);
      },
      eachEntityRange: (view, ranges, opts, each) => features.eachEntityRange(view, ranges, opts, each),
      runsBySeq: (seqs) => features.runsBySeq(seqs),
    };
    const bulk = new BulkJoin(store, plan, maxBytes);
    const parts = chunks(rows);
    let offset = 0;
    for (const c of parts) {
      bulk.count(c, (i) => label(offset + i));
      offset += c.length;
    }
    await bulk.load();
    const viaBulk: JoinedChunk[] = [];
    const viaProbe: JoinedChunk[] = [];
    expect(bulk.length).toBe(rows.length);
    offset = 0;
    for (const c of parts) {
      const out = await bulk.join(offset, offset + c.length);
      // The kept spine gives the rows back as they were read.
      const back = Array.from(out.rows.ids, (id, i) => ({
        entity: out.rows.values[id],
        at: out.rows.times[i],
      }));
      expect(back).toEqual(c);
      viaBulk.push(out.joined);
      viaProbe.push(await joinSpine(rt.store.features, plan, c, label));
      offset += c.length;
    }
    // Numeric features come back typed from the bulk join.
    plan.columns.forEach((c, j) => {
      if (viaBulk.length && (c.type === 'integer' || c.type === 'number'))
        expect(viaBulk[0]!.values[j]).toBeInstanceOf(Float64Array);
    });
    return {
      bulk: table(plan, rows, viaBulk),
      probe: table(plan, rows, viaProbe),
      stats: bulk.stats(),
      /** Share of (spine row, view) requests the bulk join probed. */
      probed: probes / (rows.length * plan.views.length),
      probedKeys,
    };
  }

  const CASES_TTL = 3 * DAY;
  const WEATHER_TTL = 36 * HOUR;
  const SHAPES: Array<[string, Parameters<typeof query>[0]]> = [
    ['now', {}],
    ['knownAt after the rolled-back run committed, before it was rolled back', { knownAt: K1 }],
    ['knownAt before most runs', { knownAt: K0 }],
    ['knownAt exactly at the reprocess commit', { knownAt: C4 }],
    ['knownAt exactly at the rollback', { knownAt: C5 }],
    ['a TTL per view', { ttl: ['P3D', 'PT36H'] }],
    ['a TTL and knownAt', { ttl: ['P3D', undefined], knownAt: K1 }],
    ['cases pinned to 1.0.0', { version: '1.0.0' }],
    [
      'cases pinned to 1.1.0, with a TTL, as known at K1',
      { version: '1.1.0', ttl: ['P3D', 'PT36H'], knownAt: K1 },
    ],
  ];

  for (const [shape, over] of SHAPES) {
    it(`${shape}: the same answer, cached and probed`, async () => {
      const plan = await rt.features.planTrainingSet(query(over));
      expect(plan.views[0]!.view.version).toBe(over.version);
      expect(plan.views[0]!.types).toEqual(
        over.version === '1.0.0'
          ? ['integer', 'number', 'string', 'boolean']
          : ['integer', 'number', 'string', 'boolean', 'number'],
      );
      const rows = spine(7 + SHAPES.findIndex(([s]) => s === shape), [CASES_TTL, WEATHER_TTL]);
      const { bulk, probe, stats, probed, probedKeys } = await both(plan, rows, 1 << 30);
      expect(bulk).toEqual(probe);
      expect(probe).toEqual(reference(plan, rows));
      // Both paths ran, in both views; most requests (the hot entities') from the cache.
      for (const vi of [0, 1]) {
        expect(stats.cached[vi]).toBeGreaterThan(HOT);
        expect(stats.probed[vi]).toBeGreaterThan(0);
      }
      expect(probed).toBeGreaterThan(0);
      // The cold entities (asked for once or twice, under MIN_REQUESTS) are about 30 %.
      expect(probed).toBeLessThan(0.4);
      // The tricky key went to the store and back in the range read: it was answered from the cache.
      expect(probedKeys).not.toContain(plan.views[0]!.key.fromInput(name(TRICKY)));
      // No degenerate answer: each view matches most rows, and misses some.
      const matched = (vi: number) => probe.filter((r) => r.views[vi]!.runId !== null);
      for (const vi of [0, 1]) {
        expect(matched(vi).length).toBeGreaterThan(rows.length / 3);
        expect(matched(vi).length).toBeLessThan(rows.length);
      }
    });
  }

  it('the reference itself tells the cases apart', async () => {
    // The reprocess wins over its original at the same time; the correction over both;
    // the rolled-back run counts only as known before its rollback.
    const runsNow = new Set(
      reference(await rt.features.planTrainingSet(query({})), spine(1, [])).flatMap((r) =>
        r.views.map((v) => v.runId),
      ),
    );
    const runsK1 = new Set(
      reference(await rt.features.planTrainingSet(query({ knownAt: K1 })), spine(1, [])).flatMap((r) =>
        r.views.map((v) => v.runId),
      ),
    );
    const byCommit = (at: number) => stored.cases.find((r) => r.run.committedAt === at)!.run.id;
    expect(runsNow).toContain(byCommit(C2)); // correction
    expect(runsNow).toContain(byCommit(C4)); // reprocess
    expect(runsNow).toContain(byCommit(C6)); // late
    expect(runsNow).toContain(byCommit(C7)); // duplicates
    expect(runsNow).not.toContain(byCommit(C3)); // rolled back
    expect(runsK1).toContain(byCommit(C3));
    expect(runsK1).not.toContain(byCommit(C6));
    // The original still answers where no other run wrote the time.
    expect(runsNow).toContain(byCommit(C1));
  });

  it('gives the same answer with no cache (maxBytes 0: every entity probed)', async () => {
    const plan = await rt.features.planTrainingSet(query({ ttl: [undefined, 'PT36H'], knownAt: K1 }));
    const rows = spine(101, [WEATHER_TTL]);
    const { bulk, probe, stats, probed } = await both(plan, rows, 0);
    expect(stats.cached).toEqual([0, 0]);
    expect(probed).toBe(1);
    expect(stats.probed[0]).toBeGreaterThan(100);
    expect(bulk).toEqual(probe);
    expect(probe).toEqual(reference(plan, rows));
  });

  it('gives the same answer when the cache fills up (the entities past maxBytes probed)', async () => {
    const plan = await rt.features.planTrainingSet(query({}));
    const rows = spine(202, []);
    // One byte: the first entity read opens a segment far bigger, and the rest are probed.
    const { bulk, probe, stats, probed } = await both(plan, rows, 1);
    expect(stats.cached).toEqual([1, 0]);
    expect(probed).toBeGreaterThan(0.9);
    expect(stats.probed[1]).toBeGreaterThan(50);
    expect(bulk).toEqual(probe);
    expect(probe).toEqual(reference(plan, rows));
  });

  it('answers nulls for views that hold no rows (another environment), and an empty spine', async () => {
    const plan = await rt.features.planTrainingSet({
      ...query({}),
      environment: 'prod',
      views: [
        { contract: 'cases', version: '1.1.0' },
        { contract: 'weather', version: '1.1.0', keyMap: { iso: 'country' } },
      ],
    });
    const rows = spine(303, []);
    const { bulk, probe, stats } = await both(plan, rows, 1 << 30);
    expect(bulk).toEqual(probe);
    expect(probe).toEqual(reference(plan, rows));
    const runIds = probe.flatMap((r) => r.views.map((v) => v.runId));
    expect(new Set(runIds)).toEqual(new Set([null]));
    // Every entity asked for MIN_REQUESTS times or more read by range, with no rows; probed:
    // the ones asked for fewer times. The key spelled with spaces encodes to the entity
    // another spine value names: one entity, its requests counted together.
    const asked = new Map<unknown, number>();
    for (const r of rows) {
      const raw = typeof r.entity === 'object' ? (r.entity as { country: string }).country : r.entity;
      const key = String(raw).trim();
      asked.set(key, (asked.get(key) ?? 0) + 1);
    }
    const cold = [...asked.values()].filter((n) => n < MIN_REQUESTS).length;
    expect(cold).toBeGreaterThan(10);
    expect(stats.probed).toEqual([cold, cold]);
    expect(stats.cached).toEqual([asked.size - cold, asked.size - cold]);

    const empty = await both(await rt.features.planTrainingSet(query({})), [], 1 << 30);
    expect(empty.bulk).toEqual([]);
    expect(empty.stats).toMatchObject({ cached: [0, 0], probed: [0, 0] });
  });
});

/**
 * Growth on PostgreSQL: the same reads against the 1× store (10,000 entities, 1M
 * feature rows) and against the --scale store (at --scale 10: 100,000 entities, 10M
 * rows), one after the other in this run, each in a fresh database. What should not
 * grow with the store: the p99 of an online read (one entity, as of now, through
 * FeatureService, what the GraphQL resolver calls, one request at a time) and the time
 * per spine row of a training set of a fixed size. The 1× figures are the baseline,
 * so the ratio column is the growth per row. Below --scale 1 (a quick check of the case
 * itself) the baseline is a store ten times smaller than the scaled one.
 */
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { measure, row, type CaseResult, type ResultRow } from '../lib/result';
import { int, rng } from '../lib/rng';
import { pgReachable } from '../lib/tidemark';
import { entityName, EVENTS_PER_ENTITY, trainingRequests } from '../data/feature-data';
import { freshFeatureStore } from '../data/feature-store';
import { label } from './ingest';
import type { Runtime } from '../../src/runtime';

const BASE_ENTITIES = 10_000;
/** Online reads measured per store (after as many to warm up), whatever the scale. */
const ONLINE_READS = 2_000;
/** Spine rows of the training set, the same at every scale so times per row compare. */
const SPINE_ROWS = 20_000;

interface Figures {
  entities: number;
  rows: number;
  loadMs: number;
  /** p99 per repetition, ms. */
  onlineP99: number[];
  /** ms per spine row per repetition. */
  perSpineRow: number[];
}

export async function growthCase(o: BenchOptions): Promise<CaseResult> {
  if (!(await pgReachable(o.pgUrl))) {
    return { case: 'growth', rows: [], details: { skipped: `no PostgreSQL at ${o.pgUrl}` } };
  }
  const grownEntities = scaled(BASE_ENTITIES, o, 10);
  const baseEntities = o.scale >= 1 ? BASE_ENTITIES : Math.max(10, Math.round(grownEntities / 10));
  const base = await figures(o, baseEntities);
  const grown = await figures(o, grownEntities);
  const at = (f: Figures) => `${label(f.rows)} rows / ${label(f.entities)} entities`;
  const baseline = (m: number[], unit: string) => ({
    name: `${o.scale >= 1 ? '1×' : 'smaller'} (${at(base)})`,
    m: measure(m, unit, 'lower'),
  });
  const rows: ResultRow[] = [
    row(
      'growth',
      `online read p99, 1 entity, PostgreSQL, ${at(grown)}`,
      measure(grown.onlineP99, 'ms', 'lower'),
      baseline(base.onlineP99, 'ms'),
    ),
    row(
      'growth',
      `training set per spine row (${label(spineRows(o))} rows), PostgreSQL, ${at(grown)}`,
      measure(grown.perSpineRow, 'ms', 'lower'),
      baseline(base.perSpineRow, 'ms'),
    ),
  ];
  return { case: 'growth', rows, details: { base, grown } };
}

const spineRows = (o: BenchOptions) => Math.min(SPINE_ROWS, scaled(SPINE_ROWS, o, 200));
const onlineReads = (o: BenchOptions) => Math.min(ONLINE_READS, scaled(ONLINE_READS, o, 200));

async function figures(o: BenchOptions, entities: number): Promise<Figures> {
  const store = await freshFeatureStore('postgres', entities, o.seed, o.pgUrl);
  try {
    // A steady-state store: statistics as autovacuum would leave them after the load.
    await store.rt.store.db.raw('ANALYZE');
    const out: Figures = {
      entities,
      rows: entities * EVENTS_PER_ENTITY,
      loadMs: Math.round(store.load.ms),
      onlineP99: [],
      perSpineRow: [],
    };
    await onlineLatencies(store.rt, entities, o.seed + 99, onlineReads(o)); // warm-up: page cache, plans, JIT
    const spine = trainingRequests(entities, spineRows(o), o.seed).map((r) => ({
      entity: r.entity as unknown,
      timestamp: new Date(r.at),
    }));
    const training = () =>
      store.rt.features.trainingSet({ contract: 'bench_features', rows: spine, environment: 'dev' });
    await training();
    for (let rep = 0; rep < o.reps; rep++) {
      const ms = (await onlineLatencies(store.rt, entities, o.seed + rep, onlineReads(o))).sort(
        (a, b) => a - b,
      );
      out.onlineP99.push(ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)]!);
      const t0 = performance.now();
      await training();
      out.perSpineRow.push((performance.now() - t0) / spineRows(o));
    }
    return out;
  } finally {
    await store.dispose();
  }
}

/** Each online read's time, one at a time, over seeded random entities of the store. */
async function onlineLatencies(
  rt: Runtime,
  entities: number,
  seed: number,
  reads: number,
): Promise<number[]> {
  const r = rng(seed);
  const ms: number[] = [];
  for (let i = 0; i < reads; i++) {
    const entity = entityName(int(r, entities));
    const t0 = performance.now();
    const [v] = await rt.features.features({
      contract: 'bench_features',
      entities: [entity],
      environment: 'dev',
    });
    ms.push(performance.now() - t0);
    if (!v) throw new Error(`growth: no answer for ${entity}`);
  }
  return ms;
}

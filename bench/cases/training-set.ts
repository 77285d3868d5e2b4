/**
 * Case 2, training set: a point-in-time join of N (entity, timestamp) rows against
 * the feature rows, through FeatureService.trainingSet (what the GraphQL resolver
 * calls), on SQLite and on PostgreSQL; baseline: DuckDB's ASOF JOIN over the same
 * rows, with the requests appended into DuckDB and the result read back into JS
 * inside the timing. The two answers are compared row by row.
 */
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { cached } from '../lib/cache';
import { openDuck, type Duck } from '../lib/duck';
import { interleave } from '../lib/repeat';
import { measure, row, target, type CaseResult, type ResultRow } from '../lib/result';
import { profiled } from '../lib/profile';
import { openBenchRuntime, pgReachable, type BenchRuntime, type Engine } from '../lib/tidemark';
import { FEATURE_NAMES, trainingRequests, writeFeatureCsv, type TrainingRequest } from '../data/feature-data';
import {
  freshFeatureStore,
  loadDuckFeatures,
  sqliteFeatureStore,
  type LoadStats,
} from '../data/feature-store';
import { label } from './ingest';
import type { Runtime } from '../../src/runtime';

const BUDGET_MS = 90_000;

/** One answer row: the matched event time (null: no match) and the first feature. */
type Answer = Array<{ eventTime: number | null; f01: number | null }>;

export async function trainingCase(o: BenchOptions): Promise<CaseResult> {
  const entities = scaled(10_000, o, 10);
  const n = scaled(100_000, o, 100);
  const requests = trainingRequests(entities, n, o.seed);
  const csv = await cached(o.dataDir, `features-${entities}-s${o.seed}.csv`, (p) =>
    writeFeatureCsv(p, entities, o.seed),
  );
  const duck = await openDuck();
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = { entities, featureRows: entities * 100, requests: n };
  try {
    details.duckLoad = await loadDuckFeatures(duck, csv);
    for (const engine of o.engines) {
      if (engine === 'postgres' && !(await pgReachable(o.pgUrl))) {
        details.postgres = `skipped: no PostgreSQL at ${o.pgUrl}`;
        continue;
      }
      const store = await openStore(engine, o, entities);
      try {
        const leg = await measureLeg(o, store.b.rt, duck, requests, engine);
        const what = `${label(n)} rows PIT join over ${label(entities * 100)}, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`;
        rows.push(
          row(
            'training',
            what,
            leg.tidemark,
            { name: 'DuckDB ASOF JOIN', m: leg.duck },
            target('≤ 3×', leg.tidemark.median / leg.duck.median <= 3),
          ),
        );
        details[engine] = { load: store.load, agreement: leg.agreement, profile: leg.profile };
      } finally {
        await store.b.dispose();
      }
    }
  } finally {
    duck.close();
  }
  return { case: 'training', rows, details };
}

async function openStore(
  engine: Engine,
  o: BenchOptions,
  entities: number,
): Promise<{ b: BenchRuntime; load: LoadStats | null }> {
  if (engine === 'sqlite') {
    const { dir, load } = await sqliteFeatureStore(o.dataDir, entities, o.seed, o.pgUrl);
    return { b: await openBenchRuntime({ engine, pgUrl: o.pgUrl, dataDir: dir }), load };
  }
  const fresh = await freshFeatureStore(engine, entities, o.seed, o.pgUrl);
  // A steady-state store: statistics as autovacuum would leave them after the load.
  await fresh.rt.store.db.raw('ANALYZE');
  return { b: fresh, load: fresh.load };
}

async function measureLeg(
  o: BenchOptions,
  rt: Runtime,
  duck: Duck,
  requests: TrainingRequest[],
  engine: Engine,
) {
  const input = requests.map((r) => ({ entity: r.entity as unknown, timestamp: new Date(r.at) }));
  const tidemark = () =>
    rt.features.trainingSet({ contract: 'bench_features', rows: input, environment: 'dev' });
  // Warm both (page cache, prepared plans, JIT) on a tenth of the rows.
  await rt.features.trainingSet({
    contract: 'bench_features',
    rows: input.slice(0, Math.ceil(input.length / 10)),
    environment: 'dev',
  });
  await duckAsof(duck, requests.slice(0, Math.ceil(requests.length / 10)));
  let tmAnswer: Answer = [];
  let dkAnswer: Answer = [];
  const samples = await interleave(
    [
      {
        name: 'tidemark',
        run: async () => {
          const t0 = performance.now();
          const vectors = await tidemark();
          const ms = performance.now() - t0;
          tmAnswer = vectors.map((v) => ({
            eventTime: v.eventTime?.getTime() ?? null,
            f01: (v.values?.f01 as number | undefined) ?? null,
          }));
          return ms;
        },
      },
      {
        name: 'duckdb',
        run: async () => {
          const t0 = performance.now();
          const answer = await duckAsof(duck, requests);
          const ms = performance.now() - t0;
          dkAnswer = answer;
          return ms;
        },
      },
    ],
    o.reps,
    BUDGET_MS,
  );
  const { profile } = await profiled(o.profileDir, `training-${engine}`, tidemark);
  return {
    tidemark: measure(samples.get('tidemark')!, 'ms', 'lower'),
    duck: measure(samples.get('duckdb')!, 'ms', 'lower'),
    agreement: compare(tmAnswer, dkAnswer),
    profile,
  };
}

/** The ASOF join in DuckDB, requests appended from JS and every answer row read back. */
export async function duckAsof(duck: Duck, requests: TrainingRequest[]): Promise<Answer> {
  await duck.conn.run('CREATE OR REPLACE TEMP TABLE req (idx INTEGER, entity VARCHAR, ts BIGINT)');
  const app = await duck.conn.createAppender('req');
  requests.forEach((r, i) => {
    app.appendInteger(i);
    app.appendVarchar(r.entity);
    app.appendBigInt(BigInt(r.at));
    app.endRow();
  });
  app.closeSync();
  const reader = await duck.conn.runAndReadAll(
    `SELECT req.idx, f.event_time, ${FEATURE_NAMES.map((f) => `f.${f}`).join(', ')}
     FROM req ASOF LEFT JOIN feats f ON req.entity = f.entity AND req.ts >= f.event_time
     ORDER BY req.idx`,
  );
  // Columns (DuckDB's own layout) are the cheapest way out into JS.
  const cols = reader.getColumns();
  const times = cols[1]!;
  const f01 = cols[2]!;
  return times.map((t, i) => ({
    eventTime: t === null ? null : Number(t),
    f01: f01[i] === null ? null : Number(f01[i]),
  }));
}

function compare(
  a: Answer,
  b: Answer,
): {
  rows: number;
  matched: number;
  unmatched: number;
  disagreements: number;
  firstDisagreement: number | null;
} {
  let disagreements = 0;
  let first: number | null = null;
  let matched = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x?.eventTime !== null && x?.eventTime !== undefined) matched++;
    if (!x || !y || x.eventTime !== y.eventTime || x.f01 !== y.f01) {
      disagreements++;
      first ??= i;
    }
  }
  return { rows: a.length, matched, unmatched: a.length - matched, disagreements, firstDisagreement: first };
}

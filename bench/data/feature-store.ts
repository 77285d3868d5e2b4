/**
 * Puts the generated feature rows into a Tidemark store and into DuckDB.
 *
 * Tidemark: NOT through a CSV run (a million 22-column rows through parse and
 * validation would take many minutes at today's ingest speed), but through the
 * store's own write path for feature rows: one queued run from the executor, then
 * one transaction of `features.insertMany` chunks and the run marked succeeded and
 * committed, as the commit stage leaves it. The SQLite store is kept under
 * bench/out/data, keyed by scale, seed and a fingerprint of src/store and migrations.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Runtime } from '../../src/runtime';
import { encodeEntityKey } from '../../src/pipeline/entity-key';
import { FeatureRepository } from '../../src/store/feature.repository';
import { FEATURE_CONTRACT, FEATURE_NAMES, featureRows } from './feature-data';
import { applyContracts, openBenchRuntime, type Engine } from '../lib/tidemark';
import { cached } from '../lib/cache';
import type { Duck } from '../lib/duck';
import { lit } from '../lib/duck';

export interface LoadStats {
  rows: number;
  ms: number;
}

/** Applies the feature contract and writes every generated row as one committed run. */
export async function loadFeatureStore(rt: Runtime, entities: number, seed: number): Promise<LoadStats> {
  await applyContracts(rt, [FEATURE_CONTRACT]);
  const t0 = performance.now();
  const contract = await rt.registry.resolve('bench_features', undefined, 'dev');
  const run = await rt.executor.enqueue({ contract, environment: 'dev', trigger: 'manual', rawBatches: [], actor: 'bench' });
  const view = { environment: 'dev' as const, contract: contract.name, major: contract.major };
  let rows = 0;
  let newest: number | null = null;
  await rt.store.transaction(async (tx) => {
    for (const chunk of featureRows(entities, seed)) {
      for (const r of chunk) if (newest === null || r.eventTime > newest) newest = r.eventTime;
      const inserts = chunk.map((r) => ({
        entityKey: encodeEntityKey(['entity'], { entity: r.entity }),
        eventTime: r.eventTime,
        values: Object.fromEntries(FEATURE_NAMES.map((f, i) => [f, r.values[i]!])),
      }));
      await tx.features.insertMany(run.id, view, inserts);
      rows += chunk.length;
    }
    const now = rt.clock.now();
    const counts = { read: rows, valid: rows, rejected: 0, filtered: 0, written: rows };
    await tx.runs.setNewestEventTime(run.id, newest);
    await tx.runs.update(run.id, { status: 'succeeded', startedAt: now, finishedAt: now, committedAt: now, counts });
  });
  return { rows, ms: performance.now() - t0 };
}

/** The SQLite data directory holding the loaded store (built once per scale, seed and store code). */
export async function sqliteFeatureStore(dataDir: string, entities: number, seed: number, pgUrl: string): Promise<{ dir: string; load: LoadStats | null }> {
  let load: LoadStats | null = null;
  const dir = await cached(dataDir, `features-sqlite-${entities}-s${seed}-${storeFingerprint()}`, async (tmp) => {
    const b = await openBenchRuntime({ engine: 'sqlite', pgUrl, dataDir: tmp });
    try {
      load = await loadFeatureStore(b.rt, entities, seed);
    } finally {
      await b.rt.close();
    }
  });
  return { dir, load };
}

/** A fresh store on `engine` with the feature rows loaded; dispose() drops it. */
export async function freshFeatureStore(engine: Engine, entities: number, seed: number, pgUrl: string) {
  const b = await openBenchRuntime({ engine, pgUrl });
  try {
    const load = await loadFeatureStore(b.rt, entities, seed);
    return { ...b, load };
  } catch (err) {
    await b.dispose();
    throw err;
  }
}

/** DuckDB's copy: one row per feature row, the twenty features as DOUBLE columns, times as epoch ms. */
export async function loadDuckFeatures(duck: Duck, csv: string): Promise<LoadStats> {
  const t0 = performance.now();
  const cols = [`'entity': 'VARCHAR'`, `'event_time': 'BIGINT'`, ...FEATURE_NAMES.map((f) => `'${f}': 'DOUBLE'`)].join(', ');
  await duck.conn.run(`CREATE OR REPLACE TABLE feats AS SELECT * FROM read_csv(${lit(csv)}, header = true, columns = {${cols}})`);
  const n = Number((await duck.conn.runAndReadAll('SELECT count(*) AS n FROM feats')).getRowObjects()[0]!.n);
  return { rows: n, ms: performance.now() - t0 };
}

/**
 * A short hash of the code that decides the stored layout: the migrations, the
 * dialect and table names, and the feature row write path. A change rebuilds the
 * cached store; edits to the read paths of src/store do not.
 */
export function storeFingerprint(): string {
  const h = createHash('sha256');
  const root = join(import.meta.dirname, '..', '..');
  const files = [
    ...readdirSync(join(root, 'migrations'))
      .sort()
      .map((f) => join('migrations', f)),
    'src/store/dialect.ts',
    'src/store/tables.ts',
    'src/store/connection.ts',
  ];
  for (const f of files) {
    const p = join(root, f);
    if (statSync(p).isFile()) h.update(f).update(readFileSync(p));
  }
  h.update(FeatureRepository.prototype.insertMany.toString());
  return h.digest('hex').slice(0, 10);
}

/**
 * The store for the bulk training set case: the twenty-feature contract of the training
 * case and a second contract on the same entity (an integer label, a text tag and a
 * flag, ten rows per entity), so the join reads two views and writes every Parquet type
 * it is measured on but dates. Both go into one cached SQLite store and into DuckDB.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Runtime } from '../../src/runtime';
import { encodeEntityKey } from '../../src/pipeline/entity-key';
import { cached } from '../lib/cache';
import { lit, type Duck } from '../lib/duck';
import { int, rng } from '../lib/rng';
import { openBenchRuntime, applyContracts } from '../lib/tidemark';
import { loadFeatureStore, storeFingerprint, type LoadStats } from './feature-store';
import { entityName, START } from './feature-data';

export const LABEL_CONTRACT = `
name: bench_labels
version: 1.0.0
owner: bench
entity: { name: entity, key: [entity] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: entity, type: string, required: true }
  - { name: label, type: integer }
  - { name: tag, type: string }
  - { name: ok, type: boolean }
expectations: []
features:
  - { name: label, column: label }
  - { name: tag, column: tag }
  - { name: ok, column: ok }
`;

const LABELS_PER_ENTITY = 10;
const TEN_DAYS = 10 * 86_400_000;

export interface LabelRow {
  entity: string;
  eventTime: number;
  label: number | null;
  tag: string;
  ok: boolean;
}

export function* labelRows(entities: number, seed: number, chunk = 50_000): Generator<LabelRow[]> {
  const r = rng(seed + 7);
  let buf: LabelRow[] = [];
  for (let k = 0; k < LABELS_PER_ENTITY; k++) {
    for (let e = 0; e < entities; e++) {
      const label = r() < 0.1 ? null : int(r, 1000);
      buf.push({
        entity: entityName(e),
        eventTime: START + k * TEN_DAYS + int(r, 86_400) * 1000,
        label,
        tag: `t${int(r, 50)}`,
        ok: r() < 0.5,
      });
      if (buf.length >= chunk) {
        yield buf;
        buf = [];
      }
    }
  }
  if (buf.length) yield buf;
}

async function loadLabels(rt: Runtime, entities: number, seed: number): Promise<number> {
  await applyContracts(rt, [LABEL_CONTRACT]);
  const contract = await rt.registry.resolve('bench_labels', undefined, 'dev');
  const run = await rt.executor.enqueue({ contract, environment: 'dev', trigger: 'manual', rawBatches: [], actor: 'bench' });
  const view = { environment: 'dev' as const, contract: contract.name, major: contract.major };
  let rows = 0;
  let newest = 0;
  await rt.store.transaction(async (tx) => {
    for (const chunk of labelRows(entities, seed)) {
      await tx.features.insertMany(
        run.id,
        view,
        chunk.map((l) => {
          newest = Math.max(newest, l.eventTime);
          return {
            entityKey: encodeEntityKey(['entity'], { entity: l.entity }),
            eventTime: l.eventTime,
            values: { label: l.label, tag: l.tag, ok: l.ok },
          };
        }),
      );
      rows += chunk.length;
    }
    const now = rt.clock.now();
    const counts = { read: rows, valid: rows, rejected: 0, filtered: 0, written: rows };
    await tx.runs.setNewestEventTime(run.id, newest);
    await tx.runs.update(run.id, { status: 'succeeded', startedAt: now, finishedAt: now, committedAt: now, counts });
  });
  return rows;
}

/** The SQLite data directory holding both contracts' rows (built once per scale, seed and store code). */
export async function bulkSqliteStore(dataDir: string, entities: number, seed: number): Promise<{ dir: string; load: LoadStats | null }> {
  let load: LoadStats | null = null;
  const dir = await cached(dataDir, `bulk-sqlite-${entities}-s${seed}-${storeFingerprint()}`, async (tmp) => {
    const b = await openBenchRuntime({ engine: 'sqlite', pgUrl: '', dataDir: tmp });
    try {
      const t0 = performance.now();
      const features = await loadFeatureStore(b.rt, entities, seed);
      const labels = await loadLabels(b.rt, entities, seed);
      load = { rows: features.rows + labels, ms: performance.now() - t0 };
      await b.rt.store.db.raw('ANALYZE');
    } finally {
      await b.rt.close();
    }
  });
  return { dir, load };
}

/** DuckDB's copy of the label rows (times as epoch ms), beside `feats`. */
export async function loadDuckLabels(duck: Duck, dataDir: string, entities: number, seed: number): Promise<void> {
  const csv = await cached(dataDir, `labels-${entities}-s${seed}.csv`, async (p) => {
    const out = createWriteStream(p);
    out.write('entity,event_time,label,tag,ok\n');
    for (const chunk of labelRows(entities, seed)) {
      let text = '';
      for (const l of chunk) text += `${l.entity},${l.eventTime},${l.label ?? ''},${l.tag},${l.ok}\n`;
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  });
  await duck.conn.run(
    `CREATE OR REPLACE TABLE labels AS SELECT * FROM read_csv(${lit(csv)}, header = true, columns = {'entity': 'VARCHAR', 'event_time': 'BIGINT', 'label': 'BIGINT', 'tag': 'VARCHAR', 'ok': 'BOOLEAN'})`,
  );
}

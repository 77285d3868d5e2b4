/**
 * What the lineage picture of a contract reads: its newest runs' ids (nothing counted),
 * those runs without their reports, and their edges sought by run id, on a store of
 * many runs (test/graphql/lineage.test.ts has the graph itself).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import type { Run } from '../../src/domain/run';
import type { LineageEdge } from '../../src/store/lineage.repository';

const RUNS = 600;

describe(`lineage reads (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  const runs: Run[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    await registerContract(store, 'air_quality', '1.0.0');
    for (let i = 0; i < RUNS; i++) {
      const edges: LineageEdge[] = [];
      const run = await insertRun(store, {
        contractName: i % 3 === 0 ? 'air_quality' : 'country_daily',
        environment: i % 2 === 0 ? 'dev' : 'prod',
        queuedAt: 1_700_000_000_000 + i * 1000,
        status: 'succeeded',
        validation: {
          success: true,
          statistics: {
            evaluatedExpectations: 0,
            successfulExpectations: 0,
            unsuccessfulExpectations: 0,
            successPercent: 100,
          },
          results: [],
        },
      });
      runs.push(run);
      for (const k of ['a', 'b'])
        edges.push({
          runId: run.id,
          fromKind: 'contract_version',
          fromId: `${run.contractName}@1.0.0#${k}`,
          toKind: 'run',
          toId: run.id,
          attributes: { k },
          createdAt: run.queuedAt,
        });
      // As a run's commit writes them: a few at a time.
      await store.lineage.insertMany(edges);
    }
    if (testEngine() === 'postgres') await db.knex.raw('ANALYZE');
  }, 120_000);
  afterAll(() => db?.dispose());

  it("answers a contract's newest run ids across environments, newest first", async () => {
    const want = runs
      .filter((r) => r.contractName === 'country_daily')
      .sort((a, b) => b.queuedAt - a.queuedAt)
      .slice(0, 50)
      .map((r) => r.id);
    expect(await store.runs.newestIds('country_daily', 50)).toEqual(want);
    expect(await store.runs.newestIds('missing', 50)).toEqual([]);
  });

  it('reads runs bare: every field but the report and stage timings', async () => {
    const ids = runs.slice(0, 5).map((r) => r.id);
    const full = await store.runs.getMany(ids);
    const bare = await store.runs.getManyBare(ids);
    expect(full.every((r) => r.validation !== null)).toBe(true);
    const byId = (xs: Run[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(bare)).toEqual(byId(full).map((r) => ({ ...r, validation: null, stages: null })));
  });

  it('reads the edges of a few runs by seeking run_id, in insertion order', async () => {
    const picked = runs.slice(100, 150).map((r) => r.id);
    const edges = await store.lineage.query({ runIds: picked });
    expect(edges.map((e) => `${e.runId}:${(e.attributes as { k: string }).k}`)).toEqual(
      picked.flatMap((id) => [`${id}:a`, `${id}:b`]),
    );
    const sql = db.knex('lineage_edges').whereIn('run_id', picked).toSQL();
    if (testEngine() === 'sqlite') {
      const rows: Array<{ detail: string }> = await db.knex.raw(
        `EXPLAIN QUERY PLAN ${sql.sql}`,
        sql.bindings as never,
      );
      expect(rows.map((r) => r.detail).join('\n')).toMatch(
        /SEARCH lineage_edges USING INDEX lineage_edges_run_id_index \(run_id=\?\)/,
      );
    } else {
      // 1,200 edges are one scan's worth to PostgreSQL; with scans made dear the plan shows
      // the run_id index serves the lookup on a store where scanning would not do.
      type Explained = { rows: Array<{ 'QUERY PLAN': unknown }> };
      const res = await db.knex.transaction(async (tx): Promise<Explained> => {
        await tx.raw('SET LOCAL enable_seqscan = off');
        return (await tx.raw(`EXPLAIN (FORMAT JSON) ${sql.sql}`, sql.bindings as never)) as Explained;
      });
      const text = JSON.stringify(res.rows[0]!['QUERY PLAN']);
      expect(text).toContain('lineage_edges_run_id_index');
      expect(text).not.toContain('"Seq Scan"');
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, makeRawBatch, makeReject, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import { pgPlanNodes } from '../support/plans';
import type { RejectedRow } from '../../src/domain/reject';
import type { Run } from '../../src/domain/run';

/**
 * 50,000 rows × 5 columns = 250,000 bound values: far past SQLite's 32,766 and
 * PostgreSQL's 65,535 per statement, so only a chunked insert can store them.
 */
const N = 50_000;

describe(`RejectRepository (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let run: Run;
  let other: Run;
  const batchA = makeRawBatch({ id: 'raw_a' });
  const batchB = makeRawBatch({ id: 'raw_b' });

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    await store.rawBatches.insert(batchA);
    await store.rawBatches.insert(batchB);
    run = await insertRun(store);
    other = await insertRun(store);

    // Stored in an order unlike the read order: batch B first, rows descending.
    const rows: RejectedRow[] = [];
    for (let i = N / 2; i >= 1; i--) rows.push(makeReject(batchB.id, i));
    for (let i = N / 2; i >= 1; i--) rows.push(makeReject(batchA.id, i));
    rows[0] = {
      ...rows[0]!,
      raw: { country: 'Côte d’Ivoire', confirmed: '1e9', extra: { nested: [1, 'two', null] } },
      reasons: [
        { rule: 'coerce', column: 'confirmed', message: 'not an integer', value: '1e9' },
        { rule: 'between', column: 'confirmed', message: 'above maximum' },
      ],
    };
    await store.rejects.insertMany(run.id, rows);
    await store.rejects.insertMany(other.id, [makeReject(batchA.id, 1)]);
    await store.rejects.insertMany(other.id, []);
  }, 120_000);
  afterAll(() => db?.dispose());

  it('stores every row of a batch larger than one statement allows', async () => {
    const page = await store.rejects.forRun(run.id, 1);
    expect(page.totalCount).toBe(N);
    expect((await store.rejects.forRun(other.id, 10)).totalCount).toBe(1);
    expect(await store.rejects.forRun('run_missing', 10)).toEqual({ rows: [], totalCount: 0 });
  });

  it('pages by (raw batch, row number), covering every row exactly once', async () => {
    const seen: string[] = [];
    const size = 12_500;
    for (let offset = 0; offset < N; offset += size) {
      const page = await store.rejects.forRun(run.id, size, offset);
      expect(page.totalCount).toBe(N);
      seen.push(...page.rows.map((r) => `${r.rawBatchId}:${r.rowNumber}`));
    }
    const want = [
      ...Array.from({ length: N / 2 }, (_, i) => `${batchA.id}:${i + 1}`),
      ...Array.from({ length: N / 2 }, (_, i) => `${batchB.id}:${i + 1}`),
    ];
    expect(seen).toEqual(want);
  });

  it('returns one page at an offset, with raw values and reasons intact', async () => {
    const page = await store.rejects.forRun(run.id, 3, N / 2 - 1);
    expect(page.rows).toEqual([
      { runId: run.id, sourceUri: batchA.sourceUri, ...makeReject(batchA.id, N / 2) },
      { runId: run.id, sourceUri: batchB.sourceUri, ...makeReject(batchB.id, 1) },
      { runId: run.id, sourceUri: batchB.sourceUri, ...makeReject(batchB.id, 2) },
    ]);

    const last = await store.rejects.forRun(run.id, 10, N - 1);
    expect(last.rows).toHaveLength(1);
    expect(last.rows[0]).toEqual({
      runId: run.id,
      rawBatchId: batchB.id,
      // The raw batch's source, joined in so a reader sees which file the row came from.
      sourceUri: batchB.sourceUri,
      rowNumber: N / 2,
      raw: { country: 'Côte d’Ivoire', confirmed: '1e9', extra: { nested: [1, 'two', null] } },
      reasons: [
        { rule: 'coerce', column: 'confirmed', message: 'not an integer', value: '1e9' },
        { rule: 'between', column: 'confirmed', message: 'above maximum' },
      ],
    });
    expect((await store.rejects.forRun(run.id, 10, N)).rows).toEqual([]);
  });

  it('reads a page by walking the (run, raw batch, row number) index, never sorting the run', async () => {
    const INDEX = 'rejected_rows_keyset';
    if (testEngine() === 'sqlite') {
      for (const offset of [0, N - 25]) {
        const { sql, bindings } = store.rejects.page(run.id, 25, offset).toSQL();
        const rows: Array<{ detail: string }> = await db.knex.raw(
          `EXPLAIN QUERY PLAN ${sql}`,
          bindings as never,
        );
        const plan = rows.map((r) => r.detail).join('\n');
        expect(plan).toContain(`SEARCH j USING INDEX ${INDEX} (run_id=?)`);
        expect(plan).not.toMatch(/TEMP B-TREE/);
      }
    } else {
      // A first page after statistics are gathered, as on a store that grew.
      await db.knex.raw('ANALYZE rejected_rows');
      const { sql, bindings } = store.rejects.page(run.id, 25, 0).toSQL();
      const res = await db.knex.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings as never);
      const nodes: Array<{ 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string }> = [];
      const walk = (n: { 'Node Type': string; Plans?: never[] }) => {
        nodes.push(n);
        n.Plans?.forEach(walk);
      };
      walk(res.rows[0]['QUERY PLAN'][0].Plan);
      expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
      const rejects = nodes.filter((n) => n['Relation Name'] === 'rejected_rows');
      expect(rejects.map((n) => [n['Node Type'], n['Index Name']])).toEqual([['Index Scan', INDEX]]);
    }
  });

  it('gives the total from the run row (its stored count, by primary key), and counts a run stored before that count existed', async () => {
    expect(await db.knex('runs').where({ id: run.id }).first('rejects_stored')).toEqual({
      rejects_stored: N,
    });
    const { sql, bindings } = store.rejects.totalQuery(run.id).toSQL();
    if (testEngine() === 'sqlite') {
      const rows: Array<{ detail: string }> = await db.knex.raw(
        `EXPLAIN QUERY PLAN ${sql}`,
        bindings as never,
      );
      const plan = rows.map((r) => r.detail).join('\n');
      expect(plan).toMatch(/^SEARCH runs USING INDEX sqlite_autoindex_runs_1 \(id=\?\)$/);
    } else {
      // A few runs: PostgreSQL may rightly read them whole (it did once the table had
      // statistics). With that made dear, the plan shows the primary key finds the row.
      const [plan] = await pgPlanNodes(db, { sql, bindings: [...bindings] }, { without: ['seqscan'] });
      expect([plan!['Node Type'], plan!['Relation Name'], plan!['Index Name']]).toEqual([
        'Index Scan',
        'runs',
        'runs_pkey',
      ]);
    }
    // A run from before migration 20261205010001: counted from its rows, as before.
    await db.knex('runs').where({ id: run.id }).update({ rejects_stored: null });
    try {
      expect((await store.rejects.forRun(run.id, 1)).totalCount).toBe(N);
    } finally {
      await db.knex('runs').where({ id: run.id }).update({ rejects_stored: N });
    }
  });

  it('writes nothing when any chunk fails inside a transaction', async () => {
    const txRun = await insertRun(store);
    const rows = Array.from({ length: 20_000 }, (_, i) => makeReject(batchA.id, i + 1));
    rows[19_999] = makeReject('raw_missing', 1); // the last chunk breaks a foreign key
    await expect(store.transaction((tx) => tx.rejects.insertMany(txRun.id, rows))).rejects.toThrow(
      /foreign key/i,
    );
    expect((await store.rejects.forRun(txRun.id, 1)).totalCount).toBe(0);
  });
});

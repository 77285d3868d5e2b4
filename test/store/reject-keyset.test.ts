/**
 * Keyset pages of a run's rejected rows (src/store/reject-keyset.ts): forward and
 * backward walks cover every row exactly once in one order on both engines, rows with
 * no raw batch (the column allows NULL) last, and every page, however deep, is an index
 * seek with no sort.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, makeRawBatch, makeReject, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import type { RejectedRow } from '../../src/domain/reject';
import type { RejectKey } from '../../src/domain/reject-key';
import type { Run } from '../../src/domain/run';
import { segmentQuery } from '../../src/store/reject-keyset';
import { pgPlanNodes } from '../support/plans';

const PER_BATCH = 400;
const UNBATCHED = 150;

describe(`rejected rows by keyset (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let run: Run;
  let want: string[];
  const batches = ['raw_c', 'raw_a', 'raw_b'].map((id) => makeRawBatch({ id }));
  const label = (r: { rawBatchId: string; rowNumber: number; raw: unknown }) =>
    `${r.rawBatchId || '-'}:${r.rowNumber}:${(r.raw as { n?: number }).n ?? ''}`;

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    for (const b of batches) await store.rawBatches.insert(b);
    run = await insertRun(store);
    const other = await insertRun(store);
    const rows: RejectedRow[] = [];
    // Stored out of order; rows without a raw batch repeat row numbers (ties settled by id).
    for (const b of batches)
      for (let i = PER_BATCH; i >= 1; i--) rows.push({ ...makeReject(b.id, i), raw: { n: 0 } });
    for (let i = 0; i < UNBATCHED; i++)
      rows.push({ ...makeReject(null as unknown as string, (i * 7) % 50), raw: { n: i } });
    await store.rejects.insertMany(run.id, rows);
    await store.rejects.insertMany(other.id, [makeReject('raw_a', 1)]);
    // The order: batched rows by (batch, row), then unbatched by (row, insertion).
    want = [
      ...['raw_a', 'raw_b', 'raw_c'].flatMap((b) =>
        Array.from({ length: PER_BATCH }, (_, i) => `${b}:${i + 1}:0`),
      ),
      ...Array.from({ length: UNBATCHED }, (_, i) => ({ row: (i * 7) % 50, n: i }))
        .sort((x, y) => x.row - y.row || x.n - y.n)
        .map((u) => `-:${u.row}:${u.n}`),
    ];
  }, 60_000);
  afterAll(() => db?.dispose());

  it('walks forward from the start, every row once, into the rows with no raw batch', async () => {
    const seen: string[] = [];
    let after: RejectKey | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await store.rejects.pageByKey(run.id, { direction: 'forward', after, limit: 37 });
      expect(page.totalCount).toBe(3 * PER_BATCH + UNBATCHED);
      seen.push(...page.rows.map(label));
      if (!page.more) break;
      after = page.rows[page.rows.length - 1]!.key;
    }
    expect(seen).toEqual(want);
  });

  it('walks backward from the end, every row once, in the same order', async () => {
    const pages: string[][] = [];
    let before: RejectKey | null = null;
    for (let n = 0; n < 1000; n++) {
      const page = await store.rejects.pageByKey(run.id, { direction: 'backward', before, limit: 41 });
      pages.unshift(page.rows.map(label));
      if (!page.more) break;
      before = page.rows[0]!.key;
    }
    expect(pages.flat()).toEqual(want);
    // The last page is the last rows, in order.
    const last = await store.rejects.pageByKey(run.id, { direction: 'backward', before: null, limit: 5 });
    expect(last.rows.map(label)).toEqual(want.slice(-5));
    expect(last.more).toBe(true);
  });

  it('turns back from the middle: the page before a page ends where it starts', async () => {
    const first = await store.rejects.pageByKey(run.id, { direction: 'forward', after: null, limit: 500 });
    const next = await store.rejects.pageByKey(run.id, {
      direction: 'forward',
      after: first.rows[first.rows.length - 1]!.key,
      limit: 500,
    });
    const back = await store.rejects.pageByKey(run.id, {
      direction: 'backward',
      before: next.rows[0]!.key,
      limit: 500,
    });
    expect(back.rows.map(label)).toEqual(first.rows.map(label));
    expect(back.more).toBe(false);
    // Across the boundary between batched and unbatched rows.
    expect(next.rows.map(label)).toEqual(want.slice(500, 1000));
  });

  it('reads a deep page by seeking the keyset index, never sorting or skipping rows', async () => {
    const deep: RejectKey = { rawBatchId: 'raw_c', rowNumber: PER_BATCH - 10, id: 1 };
    const unbatched: RejectKey = { rawBatchId: null, rowNumber: 40, id: 1 };
    const cases = [
      segmentQuery(db.knex, run.id, 'batched', true, deep, 26),
      segmentQuery(db.knex, run.id, 'batched', false, deep, 26),
      segmentQuery(db.knex, run.id, 'unbatched', true, unbatched, 26),
      segmentQuery(db.knex, run.id, 'unbatched', false, null, 26),
    ];
    if (testEngine() === 'postgres') await db.knex.raw('ANALYZE rejected_rows');
    for (const q of cases) {
      const { sql, bindings } = q.toSQL();
      if (testEngine() === 'sqlite') {
        const rows: Array<{ detail: string }> = await db.knex.raw(
          `EXPLAIN QUERY PLAN ${sql}`,
          bindings as never,
        );
        const plan = rows.map((r) => r.detail).join('\n');
        expect(plan).toMatch(
          q === cases[0] || q === cases[1]
            ? /SEARCH j USING INDEX rejected_rows_keyset \(run_id=\? AND (raw_batch_id>\? AND )?\(raw_batch_id,row_number\)[<>]/
            : // SQLite takes their order from either index (IS NULL is an equality to it).
              /SEARCH j USING INDEX rejected_rows_(keyset|unbatched) \(run_id=\?/,
        );
        expect(plan).not.toMatch(/TEMP B-TREE/);
      } else {
        // This run has 150 rows without a raw batch: for the few past a key the planner
        // rightly sorts them. Sorting made dear, the plan shows the index gives their order.
        const nodes = await pgPlanNodes(db, { sql, bindings: [...bindings] }, { without: ['sort'] });
        expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
        const scan = nodes.find((n) => n['Relation Name'] === 'rejected_rows')!;
        const index = q === cases[0] || q === cases[1] ? 'rejected_rows_keyset' : 'rejected_rows_unbatched';
        expect([scan['Node Type'], scan['Index Name']]).toEqual(['Index Scan', index]);
        // The key is part of the index condition, not a filter applied to rows walked past.
        expect(scan['Index Cond']).toMatch(/run_id/);
        if (q === cases[0] || q === cases[2]) expect(scan['Index Cond']).toMatch(/ROW\(|row_number/);
      }
    }
  });
});

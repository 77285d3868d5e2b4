import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import {
  batchInsert,
  engineOf,
  fromJson,
  insertChunkSize,
  isUniqueViolation,
  maxBindings,
  toCount,
  toJson,
  toMillis,
  valuesRow,
  withoutJit,
} from '../../src/store/dialect';

const WIDE_COLUMNS = 120;

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected the statement to fail');
    },
    (e: unknown) => e,
  );
}

describe('dialect helpers (pure)', () => {
  it('converts stored times back to numbers and keeps null', () => {
    expect(toMillis(null)).toBeNull();
    expect(toMillis(undefined)).toBeNull();
    expect(toMillis(1_700_000_000_123)).toBe(1_700_000_000_123);
    expect(toMillis('1700000000123')).toBe(1_700_000_000_123);
    expect(toMillis(0)).toBe(0);
  });

  it('round-trips JSON, null and undefined both meaning absent', () => {
    for (const v of [{ a: [1, 'x', null, { b: true }] }, [], 0, false, '', 'text']) {
      expect(fromJson(toJson(v))).toEqual(v);
    }
    expect(toJson(null)).toBeNull();
    expect(toJson(undefined)).toBeNull();
    expect(fromJson(null)).toBeNull();
    // A driver that already parsed JSON hands over an object: it passes through.
    expect(fromJson({ a: 1 })).toEqual({ a: 1 });
  });

  it('reads counts from numbers, strings and nothing', () => {
    expect(toCount(3)).toBe(3);
    expect(toCount('42')).toBe(42);
    expect(toCount(undefined)).toBe(0);
    expect(toCount(null)).toBe(0);
  });

  it('sizes insert chunks so that rows × columns never exceeds the variable limit', () => {
    for (const engine of ['sqlite', 'postgres'] as const) {
      for (const cols of [1, 2, 5, 7, 33, 120, 999, 40_000, 100_000]) {
        const size = insertChunkSize(engine, cols);
        expect(size, `${engine} ${cols}`).toBeGreaterThanOrEqual(1);
        if (size > 1) expect(size * cols, `${engine} ${cols}`).toBeLessThanOrEqual(maxBindings(engine));
      }
    }
  });

  it('does not mistake other errors for unique violations', () => {
    expect(isUniqueViolation(new Error('UNIQUE constraint failed'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation({ code: 'SQLITE_CONSTRAINT', message: 'NOT NULL constraint failed: t.a' })).toBe(
      false,
    );
  });
});

describe(`dialect helpers on a real database (${testEngine()})`, () => {
  let db: TestDb;
  const wideCols = Array.from({ length: WIDE_COLUMNS }, (_, i) => `c${i}`);

  beforeAll(async () => {
    db = await createTestDb({ migrate: false });
    await db.knex.schema.createTable('wide', (t) => {
      t.integer('row_no').primary();
      for (const c of wideCols) t.integer(c).notNullable();
    });
    await db.knex.schema.createTable('narrow', (t) => {
      t.increments('id');
      t.string('k', 20).notNullable().unique();
      t.bigInteger('v');
    });
    await db.knex.schema.createTable('child', (t) => {
      t.integer('narrow_id').notNullable().references('id').inTable('narrow');
    });
  });
  afterAll(() => db?.dispose());

  it('knows which engine a knex instance speaks', () => {
    expect(engineOf(db.knex)).toBe(db.engine);
    expect(db.engine).toBe(testEngine());
  });

  it('batch-inserts wide rows beyond the variable limit of one statement', async () => {
    // Rows × columns exceeds SQLite's 32,766 and PostgreSQL's 65,535 bound values.
    const n = Math.ceil(65_535 / (WIDE_COLUMNS + 1)) * 2;
    const rows = Array.from({ length: n }, (_, r) => {
      const row: Record<string, number> = { row_no: r };
      wideCols.forEach((c, i) => (row[c] = r * 1000 + i));
      return row;
    });
    const cols = ['row_no', ...wideCols];
    await batchInsert(db.knex, db.engine, 'wide', cols, rows, (row) => cols.map((c) => row[c]));

    const [counted] = await db.knex('wide').count({ n: '*' });
    expect(toCount(counted?.n)).toBe(n);
    const sample = await db
      .knex('wide')
      .whereIn('row_no', [0, Math.floor(n / 2), n - 1])
      .orderBy('row_no');
    expect(sample).toEqual([rows[0], rows[Math.floor(n / 2)], rows[n - 1]]);
    const [summed] = await db.knex('wide').sum({ s: `c${WIDE_COLUMNS - 1}` });
    expect(Number(summed?.s)).toBe(rows.reduce((acc, r) => acc + r[`c${WIDE_COLUMNS - 1}`]!, 0));
  });

  it('batch-inserts many narrow rows (more than a compound SELECT may hold on SQLite)', async () => {
    const rows = Array.from({ length: 2_345 }, (_, i) => ({ k: `n${i}`, v: 2 ** 40 + i }));
    await batchInsert(db.knex, db.engine, 'narrow', ['k', 'v'], rows, (r) => [r.k, r.v]);
    const got = await db.knex('narrow').select('k', 'v').orderBy('id');
    expect(got.map((r: { k: string; v: unknown }) => ({ k: r.k, v: toMillis(r.v) }))).toEqual(rows);
  });

  it('does nothing for no rows (not even touch the table)', async () => {
    await expect(
      batchInsert(db.knex, db.engine, 'no_such_table', ['a'], [], () => []),
    ).resolves.toBeUndefined();
  });

  it('recognises a unique violation from the driver, and only that', async () => {
    await db.knex('narrow').insert({ k: 'dup', v: 1 });
    const unique = await failure(db.knex('narrow').insert({ k: 'dup', v: 2 }));
    expect(isUniqueViolation(unique)).toBe(true);

    const notNull = await failure(db.knex('narrow').insert({ k: null, v: 3 }));
    expect(isUniqueViolation(notNull)).toBe(false);

    const foreignKey = await failure(db.knex('child').insert({ narrow_id: -1 }));
    expect(isUniqueViolation(foreignKey)).toBe(false);
  });

  it('builds VALUES rows that carry ints, texts and big ints through a query', async () => {
    const input = [
      [2, 'b', 2 ** 41 + 7],
      [1, 'a', 5],
      [3, "it's", -(2 ** 33)],
    ] as const;
    const values = input.map(() => valuesRow(db.engine, ['int', 'text', 'bigint'])).join(', ');
    const sql = `WITH req(i, t, b) AS (VALUES ${values}) SELECT i, t, b, b + 1 AS b1 FROM req ORDER BY i`;
    const res = await db.knex.raw(sql, input.flat());
    const rows = (db.engine === 'postgres' ? res.rows : res) as Array<Record<string, unknown>>;
    const sorted = [...input].sort((x, y) => x[0] - y[0]);
    expect(rows.map((r) => [Number(r.i), r.t, toMillis(r.b), toMillis(r.b1)])).toEqual(
      sorted.map(([i, t, b]) => [i, t, b, b + 1]),
    );
  });

  it('runs a statement with PostgreSQL JIT off, and leaves the setting as it was after', async () => {
    const jit = async (q: Knex | Knex.Transaction) =>
      String((await q.raw(`SELECT current_setting('jit') AS v`)).rows[0].v);
    if (db.engine === 'sqlite') {
      expect(await withoutJit(db.knex, db.engine, async () => 'ran')).toBe('ran');
      return;
    }
    expect(await withoutJit(db.knex, db.engine, jit)).toBe('off');
    const before = await jit(db.knex);
    await db.knex.transaction(async (trx) => {
      await trx.raw(`SELECT set_config('jit', 'on', true)`);
      expect(await withoutJit(trx, db.engine, jit)).toBe('off');
      expect(await jit(trx)).toBe('on');
    });
    expect(await jit(db.knex)).toBe(before);
  });
});

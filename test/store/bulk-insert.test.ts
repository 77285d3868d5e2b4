import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { bulkInsert } from '../../src/store/bulk-insert';

/**
 * The driver-level insert path: chunk shapes (full and tail), values of every kind the
 * store writes, and failures mid-way inside a transaction leaving nothing behind.
 */
describe(`bulkInsert (${testEngine()})`, () => {
  let db: TestDb;

  beforeEach(async () => {
    db = await createTestDb({ migrate: false });
    await db.knex.schema.createTable('bulk_probe', (t) => {
      t.integer('n').notNullable().unique();
      t.text('label');
      t.bigInteger('at');
      t.text('run');
      t.integer('major');
    });
  });
  afterEach(async () => db.dispose());

  const rows = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({
      n: from + i,
      label: i % 7 === 0 ? null : `row '${from + i}'; --"quoted"`,
      at: 1_700_000_000_000 + from + i,
    }));

  const plan = (items: ReturnType<typeof rows>, chunkSize: number) => ({
    table: 'bulk_probe',
    columns: ['n', 'label', 'at'],
    chunkSize,
    items,
    push: (r: (typeof items)[number], out: unknown[]) => {
      out.push(r.n, r.label, r.at);
    },
  });

  async function stored(): Promise<Array<{ n: number; label: string | null; at: number }>> {
    const out = await db.knex('bulk_probe').select('n', 'label', 'at').orderBy('n');
    return out.map((r) => ({ n: Number(r.n), label: r.label ?? null, at: Number(r.at) }));
  }

  it.each([
    [0, 10],
    [1, 10],
    [10, 10],
    [25, 10],
    [1003, 250],
  ])('stores %i rows in chunks of %i exactly once, in full', async (count, chunk) => {
    const items = rows(0, count);
    await bulkInsert(db.knex, db.engine, plan(items, chunk));
    expect(await stored()).toEqual(items);
  });

  it('stores through an iterable, without an array of the items', async () => {
    function* gen() {
      yield* rows(0, 37);
    }
    await bulkInsert(db.knex, db.engine, { ...plan([], 8), items: gen() });
    expect((await stored()).map((r) => r.n)).toEqual(Array.from({ length: 37 }, (_, i) => i));
  });

  it('stores batches made while it runs (an async source), in order, exactly once', async () => {
    async function* batches() {
      for (let from = 0; from < 50; from += 7) {
        await new Promise((r) => setImmediate(r));
        yield rows(from, Math.min(50, from + 7));
      }
    }
    await bulkInsert(db.knex, db.engine, { ...plan([], 8), items: batches() });
    expect(await stored()).toEqual(rows(0, 50));
  });

  it.each([
    ['bound values', false],
    ['one JSON text on SQLite', true],
  ])(
    'ends a chunk at about a million characters (%s): rows of large text are all stored',
    async (_, asJson) => {
      // 12 rows of 300 KB: a chunk of 1,000 rows would be 3.6 MB; each statement stays near 1 MB.
      const items = rows(0, 12).map((r) => ({ ...r, label: `${r.n}:${'x'.repeat(300_000)}` }));
      const json = (r: ReturnType<typeof rows>[number]) => JSON.stringify([r.n, r.label, r.at]);
      await bulkInsert(db.knex, db.engine, { ...plan(items, 1_000), json: asJson ? json : undefined });
      expect(await stored()).toEqual(items);
    },
  );

  it('a failing chunk fails the transaction and nothing of any chunk is kept', async () => {
    await db.knex('bulk_probe').insert({ n: 5_000, label: 'before', at: 1 });
    // Row 5,000 collides in the fourth chunk of 1,500: chunks 1–3 already ran on the connection.
    const items = rows(500, 6_500);
    await expect(
      db.knex.transaction((trx) => bulkInsert(trx, db.engine, plan(items, 1_500))),
    ).rejects.toThrow(/unique|UNIQUE|duplicate/);
    expect(await stored()).toEqual([{ n: 5_000, label: 'before', at: 1 }]);
  });

  it('refuses a row with the wrong number of values, naming the table', async () => {
    await expect(
      bulkInsert(db.knex, db.engine, {
        ...plan(rows(0, 3), 10),
        push: (r, out) => {
          out.push(r.n, r.label);
        },
      }),
    ).rejects.toThrow(/bulk_probe: a row has 2 values, expected 3/);
  });

  it('after a failed chunk no later chunk runs, and the connection stays usable', async () => {
    await db.knex('bulk_probe').insert({ n: 1, label: 'x', at: 1 });
    await expect(bulkInsert(db.knex, db.engine, plan(rows(0, 5), 2))).rejects.toThrow();
    await bulkInsert(db.knex, db.engine, plan(rows(100, 103), 2));
    expect((await stored()).map((r) => r.n)).toEqual([1, 100, 101, 102]);
  });

  it('constants are stored on every row, in chunks of any size (4,000-row VALUES included)', async () => {
    const items = rows(0, 9_001);
    await bulkInsert(db.knex, db.engine, {
      ...plan(items, 4_000),
      constants: [
        ['run', 'run_\'1"; DROP TABLE bulk_probe; --'],
        ['major', 3],
      ],
    });
    const out = await db.knex('bulk_probe').select('n', 'label', 'at', 'run', 'major').orderBy('n');
    expect(out).toHaveLength(9_001);
    expect(new Set(out.map((r) => `${r.run}|${Number(r.major)}`))).toEqual(
      new Set([`run_'1"; DROP TABLE bulk_probe; --|3`]),
    );
    expect(out.map((r) => ({ n: Number(r.n), label: r.label ?? null, at: Number(r.at) }))).toEqual(items);
  });

  it('with constants, a row with the wrong number of values is still refused', async () => {
    await expect(
      bulkInsert(db.knex, db.engine, {
        ...plan(rows(0, 3), 10),
        constants: [['run', 'r']],
        push: (r, out) => {
          out.push(r.n, r.label, r.at, 'extra');
        },
      }),
    ).rejects.toThrow(/bulk_probe: a row has 4 values, expected 3/);
  });

  describe('rows given as JSON arrays (one bound text a chunk on SQLite)', () => {
    const asJson = (r: { n: number; label: string | null; at: number }) =>
      JSON.stringify([r.n, r.label, r.at]);

    it('stores the same rows as bound values, constants included, over several chunks', async () => {
      const items = rows(0, 2_503);
      await bulkInsert(db.knex, db.engine, {
        ...plan(items, 1_000),
        json: asJson,
        constants: [['major', 7]],
      });
      const out = await db.knex('bulk_probe').select('n', 'label', 'at', 'major').orderBy('n');
      expect(out.map((r) => Number(r.major))).toEqual(items.map(() => 7));
      expect(out.map((r) => ({ n: Number(r.n), label: r.label ?? null, at: Number(r.at) }))).toEqual(items);
    });

    it('stores text of any script exactly, in chunks larger than the first buffer, reusing both buffers', async () => {
      // 60 rows of 40,000 characters: chunks end at MAX_CHUNK_CHARS (25 rows, ~2.7 MB of
      // UTF-8 each), so the buffers grow and each one is written again after its first use.
      const piece = 'ü€𝄞x'; // 2, 3, 4 and 1 bytes in UTF-8
      const items = Array.from({ length: 60 }, (_, n) => ({
        n,
        label: `${n}:${piece.repeat(8_000)}`,
        at: n,
      }));
      await bulkInsert(db.knex, db.engine, { ...plan(items, 1_000), json: asJson });
      const out = await db.knex('bulk_probe').select('n', 'label').orderBy('n');
      expect(out.map((r) => Number(r.n))).toEqual(items.map((r) => r.n));
      expect(out.every((r, i) => r.label === items[i]!.label)).toBe(true);
    });

    it('a JSON object cell is stored as its text, byte for byte', async () => {
      // Feature values are written this way: the stored text must be exactly what the digest hashed.
      const values = fc.dictionary(
        fc.string(),
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.string(),
          fc.boolean(),
          fc.constant(null),
        ),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(values, { minLength: 1, maxLength: 20 }), async (list) => {
          await db.knex('bulk_probe').delete();
          const items = list.map((v, i) => ({ n: i, text: JSON.stringify(v) }));
          await bulkInsert(db.knex, db.engine, {
            table: 'bulk_probe',
            columns: ['n', 'label'],
            chunkSize: 7,
            items,
            push: (r, out) => {
              out.push(r.n, r.text);
            },
            json: (r) => `[${r.n},${r.text}]`,
          });
          const out = await db.knex('bulk_probe').select('n', 'label').orderBy('n');
          expect(out.map((r) => r.label)).toEqual(items.map((r) => r.text));
        }),
        { numRuns: 50 },
      );
    });
  });
});

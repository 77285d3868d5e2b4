/**
 * The WAL is copied back into the database file beside the writer, not inside the
 * commit that crossed SQLite's threshold (src/store/sqlite-checkpointer.ts). SQLite
 * only: PostgreSQL has no such step.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/connection';
import { startCheckpointer, type Checkpointer } from '../../src/store/sqlite-checkpointer';

const MB = 1024 * 1024;
const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** Eight megabytes of rows in one transaction: past SQLite's own 1,000-page threshold. */
async function writeEightMegabytes(k: Knex): Promise<void> {
  await k.raw('CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)');
  await k.raw(`INSERT INTO blobs (b)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
    SELECT randomblob(1000) FROM n`);
}

describe('SQLite checkpoints beside the writer', () => {
  let dir: string;
  let filename: string;
  let db: Db | null = null;
  let cp: Checkpointer | null = null;
  const opened: Knex[] = [];
  const open = () => {
    const k = knex({
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: { min: 1, max: 1 },
    });
    opened.push(k);
    return k;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tm-checkpoint-'));
    filename = join(dir, 'db.sqlite');
  });
  afterEach(async () => {
    await cp?.stop();
    await db?.close();
    await Promise.all(opened.splice(0).map((k) => k.destroy()));
    cp = null;
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a commit past the threshold leaves its pages in the WAL: the commit does not copy them', async () => {
    db = openDb({ engine: 'sqlite', filename, checkpoint: { everyMs: 0, minWalBytes: MB } });
    await writeEightMegabytes(db.knex);
    expect(size(`${filename}-wal`)).toBeGreaterThan(6 * MB);
    // With SQLite's auto-checkpoint the committing connection would have copied them.
    expect(size(filename)).toBeLessThan(MB);
  });

  it('tick copies the WAL into the file once it holds enough, and not before', async () => {
    db = openDb({ engine: 'sqlite', filename, checkpoint: { everyMs: 0, minWalBytes: MB } });
    await db.knex.raw('CREATE TABLE small (n INTEGER)');
    cp = startCheckpointer(filename, open, { everyMs: 0, minWalBytes: MB });
    expect(await cp.tick()).toBe(false);
    expect(size(filename)).toBeLessThan(MB);

    await writeEightMegabytes(db.knex);
    expect(await cp.tick()).toBe(true);
    expect(size(filename)).toBeGreaterThan(6 * MB);
    // Nothing was lost on the way: a new connection reads every row from the file.
    const rows = (await open().raw('SELECT count(*) AS n FROM blobs')) as Array<{ n: number }>;
    expect(rows[0]?.n).toBe(8000);
  });

  it('checks on its own timer, while the writer keeps its connection', async () => {
    db = openDb({ engine: 'sqlite', filename, checkpoint: { everyMs: 20, minWalBytes: MB } });
    await writeEightMegabytes(db.knex);
    const deadline = Date.now() + 10_000;
    while (size(filename) < 6 * MB && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(size(filename)).toBeGreaterThan(6 * MB);
    // The writer goes on writing after the copy.
    await db.knex('blobs').insert({ b: Buffer.alloc(10) });
    const rows = (await db.knex.raw('SELECT count(*) AS n FROM blobs')) as Array<{ n: number }>;
    expect(rows[0]?.n).toBe(8001);
  });
});

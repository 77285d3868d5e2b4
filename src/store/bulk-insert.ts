/**
 * Bulk inserts on the driver connection itself. knex's raw formatter walks every
 * binding of every statement (tens of thousands per chunk) to rewrite placeholders;
 * for a million-row commit that was a fifth of the write. Here each chunk shape is
 * prepared once (SQLite) or sent with native `$n` placeholders (PostgreSQL), and the
 * next chunk's bindings are built while the driver executes the previous one.
 *
 * The connection is the transaction's own when `db` is a transaction (knex hands it
 * back without touching the pool), so every chunk is part of the caller's commit.
 */
import type { Knex } from 'knex';
import type { Engine } from './dialect';
import type { BulkInsertPlan } from './bulk-plan';
import { jsonChunks, MAX_CHUNK_CHARS, valueChunks, type ChunkBuilder } from './bulk-chunks';
import { insertJsonSql, insertSelectSql, insertSql } from './bulk-insert.sql';

/** The slice of node-sqlite3's Database/Statement this module uses. */
interface SqliteStatement {
  run(bindings: unknown[], cb: (err: Error | null) => void): void;
  finalize(cb?: (err: Error | null) => void): void;
}
interface SqliteConnection {
  prepare(sql: string, cb: (err: Error | null) => void): SqliteStatement;
}
/** The slice of pg's Client this module uses. */
interface PgConnection {
  query(text: string, values: unknown[]): Promise<unknown>;
}

interface KnexClientLike {
  acquireConnection(): Promise<unknown>;
  releaseConnection(conn: unknown): Promise<unknown> | unknown;
}

type ChunkRunner = (bindings: unknown[], rows: number) => Promise<void>;

export async function bulkInsert<T>(
  db: Knex | Knex.Transaction,
  engine: Engine,
  plan: BulkInsertPlan<T>,
): Promise<void> {
  const constants = plan.constants ?? [];
  if (engine === 'postgres' && constants.length > 0) plan = constantsPerRow(plan, constants);
  const prefix = engine === 'sqlite' ? constants.map(([, v]) => v ?? null) : [];
  const asJson = engine === 'sqlite' && plan.json !== undefined;
  const client = db.client as unknown as KnexClientLike;
  const conn = await client.acquireConnection();
  const runner =
    engine === 'sqlite'
      ? sqliteRunner(conn as SqliteConnection, plan, asJson)
      : pgRunner(conn as PgConnection, plan);
  try {
    await pipeline(plan, asJson ? jsonChunks(plan, prefix) : valueChunks(plan, prefix), runner.run);
  } finally {
    await runner.close();
    await client.releaseConnection(conn);
  }
}

/** The constants as leading columns of every row (PostgreSQL). */
function constantsPerRow<T>(
  plan: BulkInsertPlan<T>,
  constants: ReadonlyArray<readonly [string, unknown]>,
): BulkInsertPlan<T> {
  const values = constants.map(([, v]) => v ?? null);
  return {
    ...plan,
    columns: [...constants.map(([c]) => c), ...plan.columns],
    constants: undefined,
    inlinedConstants: constants.length,
    push: (item, out) => {
      for (const v of values) out.push(v);
      plan.push(item, out);
    },
  };
}

/** Builds chunk n+1 while chunk n executes; starts no chunk after a failed one. */
async function pipeline<T>(plan: BulkInsertPlan<T>, chunk: ChunkBuilder<T>, run: ChunkRunner): Promise<void> {
  let pending: Promise<void> | null = null;
  const flush = async () => {
    // The previous chunk must have succeeded before this one starts: outside a
    // transaction nothing after a failed chunk may be written.
    if (pending) await pending;
    const rows = chunk.rows;
    pending = run(chunk.take(), rows);
    // Handled when awaited, after the next chunk is built; never an unhandled rejection.
    pending.catch(() => undefined);
  };
  // Plain items are one batch; nothing is awaited per item (a million rows stay cheap).
  const batches = Symbol.asyncIterator in plan.items ? plan.items : [plan.items];
  for await (const batch of batches) {
    for (const item of batch) {
      chunk.add(item);
      if (chunk.rows === plan.chunkSize || chunk.chars >= MAX_CHUNK_CHARS) await flush();
    }
  }
  if (chunk.rows > 0) await flush();
  if (pending) await pending;
}

function sqliteRunner<T>(
  conn: SqliteConnection,
  plan: BulkInsertPlan<T>,
  asJson: boolean,
): { run: ChunkRunner; close(): Promise<void> } {
  const constants = (plan.constants ?? []).map(([c]) => c);
  const sqlFor = (rows: number): string => {
    if (asJson) return insertJsonSql(plan.table, constants, plan.columns);
    if (constants.length > 0) return insertSelectSql(plan.table, constants, plan.columns, rows);
    return insertSql(plan.table, plan.columns, rows, () => '?');
  };
  // One prepared statement per chunk shape: the full size and a shorter tail, plus one
  // per size of chunk ended by MAX_CHUNK_CHARS (one statement for every JSON chunk).
  const statements = new Map<string, SqliteStatement>();
  const statement = (rows: number): Promise<SqliteStatement> => {
    const sql = sqlFor(rows);
    const known = statements.get(sql);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const stmt = conn.prepare(sql, (err) => (err ? reject(err) : resolve(stmt)));
      statements.set(sql, stmt);
    });
  };
  return {
    run: async (bindings, rows) => {
      const stmt = await statement(rows);
      await new Promise<void>((resolve, reject) => {
        stmt.run(bindings, (err) => (err ? reject(err) : resolve()));
        bindings.length = 0;
      });
    },
    close: async () => {
      await Promise.all(
        [...statements.values()].map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))),
      );
    },
  };
}

function pgRunner<T>(
  conn: PgConnection,
  plan: BulkInsertPlan<T>,
): { run: ChunkRunner; close(): Promise<void> } {
  const texts = new Map<number, string>();
  return {
    run: async (bindings, rows) => {
      let text = texts.get(rows);
      if (!text) texts.set(rows, (text = insertSql(plan.table, plan.columns, rows, (i) => `$${i}`)));
      await conn.query(text, bindings);
    },
    close: async () => undefined,
  };
}

/**
 * Every difference between SQLite and PostgreSQL that the store cares about lives
 * here, so repositories stay dialect-free.
 */
import type { Knex } from 'knex';
import { bulkInsert } from './bulk-insert';
import type { RowSource } from './bulk-plan';

export type Engine = 'sqlite' | 'postgres';

export function engineOf(db: Knex): Engine {
  const client = String(db.client.config.client);
  return client === 'pg' || client === 'postgres' || client === 'postgresql' ? 'postgres' : 'sqlite';
}

/**
 * Bound variables allowed in one statement. SQLite (since 3.32) allows 32766;
 * PostgreSQL's wire protocol allows 65535. We stay well below both.
 */
export function maxBindings(engine: Engine): number {
  return engine === 'sqlite' ? 32_000 : 65_000;
}

/**
 * Rows per statement. Our inserts are plain multi-row `VALUES` lists (knex's own
 * SQLite form, `INSERT … SELECT … UNION ALL …`, is capped at 500 terms and slow to
 * compile); a few thousand rows per statement keeps parsing cheap and memory flat.
 */
const MAX_ROWS_PER_INSERT = 4_000;

/** Rows per INSERT so that rows × columns stays under the engine's variable limit. */
export function insertChunkSize(engine: Engine, columnsPerRow: number): number {
  const byBindings = Math.max(1, Math.floor(maxBindings(engine) / Math.max(1, columnsPerRow)));
  return Math.min(MAX_ROWS_PER_INSERT, byBindings);
}

/**
 * Inserts many rows in chunks that respect the engine's variable limit, on the
 * driver connection (see bulk-insert.ts). `toRow` maps one item to its column values
 * (in `columns` order) as the chunk is built, so a million-row write never holds a
 * second million-element copy.
 */
export async function batchInsert<T>(
  db: Knex | Knex.Transaction,
  engine: Engine,
  table: string,
  columns: readonly string[],
  items: RowSource<T>,
  toRow: (item: T) => unknown[],
  /** Columns with the same value on every row (see BulkInsertPlan.constants). */
  constants?: ReadonlyArray<readonly [column: string, value: unknown]>,
  /** The item's column values as a JSON array text (see BulkInsertPlan.json). */
  json?: (item: T) => string,
): Promise<void> {
  if (Array.isArray(items) && items.length === 0) return;
  await bulkInsert(db, engine, {
    table,
    columns,
    constants,
    chunkSize: insertChunkSize(engine, columns.length + (engine === 'sqlite' ? 0 : (constants?.length ?? 0))),
    items,
    json,
    push: (item, out) => {
      for (const v of toRow(item)) out.push(v ?? null);
    },
  });
}

/**
 * Times are stored as epoch milliseconds in BIGINT columns on both engines: portable,
 * exact, and cheap to compare. pg returns BIGINT as a string; this brings it back.
 */
export function toMillis(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : Number(v);
}

/** JSON is stored as TEXT on both engines, so reads never depend on jsonb parsing. */
export function toJson(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

export function fromJson<T>(v: unknown): T | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** COUNT(*) comes back as a number on SQLite and a string on pg. */
export function toCount(v: unknown): number {
  return Number(v ?? 0);
}

/** Whether an error is a unique-constraint violation, on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || (e?.code === 'SQLITE_CONSTRAINT' && /UNIQUE/i.test(e.message ?? ''));
}

export type SqlType = 'int' | 'text' | 'bigint';

/**
 * One row of a VALUES list with typed placeholders. PostgreSQL infers parameter
 * types and needs casts inside VALUES; SQLite takes them as they come.
 */
export function valuesRow(engine: Engine, types: SqlType[]): string {
  if (engine === 'sqlite') return `(${types.map(() => '?').join(', ')})`;
  return `(${types.map((t) => `?::${t}`).join(', ')})`;
}

/**
 * Serialises transactions that touch the same logical key. PostgreSQL: a
 * transaction-scoped advisory lock. SQLite: a write transaction already holds the
 * database lock, so nothing more is needed.
 */
export async function lockKey(trx: Knex.Transaction, engine: Engine, key: string): Promise<void> {
  if (engine === 'postgres') await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
}

/** Whether the engine has LATERAL joins (a per-row subquery the planner drives by index). */
export function supportsLateral(engine: Engine): boolean {
  return engine === 'postgres';
}

/**
 * Runs `fn` with PostgreSQL's JIT compiler off. A statement made of thousands of short
 * index walks (a subquery per request) is estimated expensive enough to be compiled, and
 * compiling it took longer than running it (250 ms of 850 ms for 2,000 requests). The
 * setting is transaction-local: outside a transaction `fn` gets one of its own; inside
 * one, the previous value is put back after.
 */
export async function withoutJit<T>(
  db: Knex | Knex.Transaction,
  engine: Engine,
  fn: (db: Knex | Knex.Transaction) => Promise<T>,
): Promise<T> {
  if (engine !== 'postgres') return fn(db);
  if (!(db as Knex.Transaction).isTransaction) {
    return db.transaction(async (trx) => {
      await trx.raw(`SELECT set_config('jit', 'off', true)`);
      return fn(trx);
    });
  }
  const res = await db.raw(`SELECT current_setting('jit') AS prev`);
  await db.raw(`SELECT set_config('jit', 'off', true)`);
  try {
    return await fn(db);
  } finally {
    await db.raw(`SELECT set_config('jit', ?, true)`, [res.rows[0].prev]);
  }
}

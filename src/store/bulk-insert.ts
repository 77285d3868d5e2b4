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

/**
 * What an insert reads: the items, or batches of them made while the insert runs (a
 * run's feature rows, made in slices so the server keeps answering).
 */
export type RowSource<T> = Iterable<T> | AsyncIterable<Iterable<T>>;

export interface BulkInsertPlan<T> {
  table: string;
  columns: readonly string[];
  /** Rows per statement (the last chunk may be shorter). */
  chunkSize: number;
  items: RowSource<T>;
  /** Appends one item's column values (in `columns` order) to `out`. */
  push: (item: T, out: unknown[]) => void;
  /**
   * Columns with one value for every row (the run id, its view). On SQLite they are
   * bound once per statement (`INSERT … SELECT ?, …, column1, … FROM (VALUES …)`):
   * node-sqlite3 converts every bound value on the main thread, and these were four
   * of seven values a feature row. PostgreSQL gets them per row, as plain columns.
   */
  constants?: ReadonlyArray<readonly [column: string, value: unknown]>;
  /** Set internally: how many leading columns are constants made per-row values. */
  inlinedConstants?: number;
  /**
   * The item as a JSON array of its column values (in `columns` order). When given, a
   * SQLite chunk is one bound JSON text spread into rows by `json_each` on the database
   * thread, instead of three bound values a row converted one by one on the main
   * thread. A JSON array or object cell is stored as its JSON text, byte for byte.
   */
  json?: (item: T) => string;
}

type ChunkRunner = (bindings: unknown[], rows: number) => Promise<void>;

/**
 * Characters of text a statement carries at most (in its string bindings, or its JSON
 * document on SQLite), whatever its row count. That text is converted on the calling
 * thread (node-sqlite3 binds it, pg serialises the message) before the driver works on
 * its own: 4,000 rows of a 500-feature contract, 48 MB, held the event loop for half a
 * second. A million characters take a few milliseconds; narrow rows never reach it.
 */
export const MAX_CHUNK_CHARS = 1_000_000;

/** Collects one chunk's bindings item by item; `take` hands them over and starts the next. */
interface ChunkBuilder<T> {
  rows: number;
  /** Characters of text in the chunk so far (see MAX_CHUNK_CHARS). */
  chars: number;
  add(item: T): void;
  take(): unknown[];
}

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

/** Every value bound on its own; each chunk's bindings start with `prefix` (constants bound once). */
function valueChunks<T>(plan: BulkInsertPlan<T>, prefix: unknown[]): ChunkBuilder<T> {
  const width = plan.columns.length;
  const inlined = plan.inlinedConstants ?? 0;
  let bindings: unknown[] = [...prefix];
  return {
    rows: 0,
    chars: 0,
    add(item) {
      const from = bindings.length;
      plan.push(item, bindings);
      for (let k = from; k < bindings.length; k++) {
        const v = bindings[k];
        if (typeof v === 'string') this.chars += v.length;
      }
      this.rows++;
      if (bindings.length !== prefix.length + this.rows * width) {
        // Counted as the caller wrote the row, without constants put into it (PostgreSQL).
        const given = bindings.length - prefix.length - (this.rows - 1) * width - inlined;
        throw new Error(
          `bulk insert into ${plan.table}: a row has ${given} values, expected ${width - inlined}`,
        );
      }
    },
    take() {
      const out = bindings;
      bindings = [...prefix];
      this.rows = 0;
      this.chars = 0;
      return out;
    },
  };
}

/**
 * The chunk's rows as one JSON array, written as UTF-8 into a buffer, after the
 * constants. Bound as a blob (read as text by the statement): node-sqlite3 copies a
 * blob's bytes, where a string was joined (flattening every row's text) and then
 * converted to UTF-8 on the main thread, about 0.7 s of a million-row commit. Two
 * buffers take turns: chunk n's is copied by the driver when its statement starts,
 * before chunk n+1 is handed over, so chunk n+2 may write over it.
 */
function jsonChunks<T>(plan: BulkInsertPlan<T>, prefix: unknown[]): ChunkBuilder<T> {
  const buffers = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
  let turn = 0;
  let buf = buffers[0]!;
  let at = 0;
  return {
    rows: 0,
    chars: 0,
    add(item) {
      const line = plan.json!(item);
      // A UTF-16 unit takes at most 3 bytes in UTF-8; 2 more for the separator and the end.
      const room = at + line.length * 3 + 2;
      if (room > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(room, buf.length * 2));
        buf.copy(bigger, 0, 0, at);
        buffers[turn] = buf = bigger;
      }
      buf[at++] = this.rows === 0 ? 0x5b : 0x2c; // '[' before the first row, ',' between
      at += buf.write(line, at, 'utf8');
      this.chars += line.length;
      this.rows++;
    },
    take() {
      buf[at++] = 0x5d; // ']'
      const text = buf.subarray(0, at);
      turn = 1 - turn;
      buf = buffers[turn]!;
      at = 0;
      this.rows = 0;
      this.chars = 0;
      return [...prefix, text];
    },
  };
}

function insertSql(
  table: string,
  columns: readonly string[],
  rows: number,
  placeholder: (i: number) => string,
): string {
  const head = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES `;
  return head + valuesList(columns.length, rows, placeholder);
}

/**
 * SQLite with constants: `INSERT INTO t (k…, c…) SELECT ?…, column1… FROM (VALUES (…), …)`.
 * The constants' placeholders come first, so their values lead the bindings.
 */
function insertSelectSql(
  table: string,
  constants: readonly string[],
  columns: readonly string[],
  rows: number,
): string {
  const all = [...constants, ...columns].map(quoteIdent).join(', ');
  const picks = [...constants.map(() => '?'), ...columns.map((_, i) => `column${i + 1}`)].join(', ');
  return `INSERT INTO ${quoteIdent(table)} (${all}) SELECT ${picks} FROM (VALUES ${valuesList(columns.length, rows, () => '?')})`;
}

/**
 * SQLite, one JSON text a chunk: `INSERT INTO t (k…, c…) SELECT ?…, value->>0, … FROM
 * json_each(CAST(? AS TEXT))`. `->>` gives a JSON string as its text, a number as an INTEGER or REAL,
 * and an array or object as its JSON text exactly as written.
 */
function insertJsonSql(table: string, constants: readonly string[], columns: readonly string[]): string {
  const all = [...constants, ...columns].map(quoteIdent).join(', ');
  const picks = [...constants.map(() => '?'), ...columns.map((_, i) => `value->>${i}`)].join(', ');
  // The document comes as a blob of UTF-8 (jsonChunks): read as the text it is.
  return `INSERT INTO ${quoteIdent(table)} (${all}) SELECT ${picks} FROM json_each(CAST(? AS TEXT))`;
}

function valuesList(width: number, rows: number, placeholder: (i: number) => string): string {
  const tuples: string[] = new Array(rows);
  let p = 0;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = new Array(width);
    for (let c = 0; c < width; c++) cells[c] = placeholder(++p);
    tuples[r] = `(${cells.join(', ')})`;
  }
  return tuples.join(', ');
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

/** Identifiers here are our own constants; quoting keeps reserved words safe on both engines. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

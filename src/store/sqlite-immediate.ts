/**
 * knex's SQLite client with write transactions that take the write lock at BEGIN.
 *
 * knex opens every SQLite transaction with a plain (deferred) `BEGIN`: the transaction
 * reads from a WAL snapshot until its first write, and must then upgrade to the write
 * lock. If any other connection (another process, or this process's own lease
 * connection renewing a heartbeat) committed in between, the snapshot is stale and
 * SQLite refuses the upgrade with SQLITE_BUSY at once: busy_timeout does not apply,
 * because waiting cannot help a transaction that already read old data. A run's commit
 * that reads before it writes then fails as "database is busy" beside a server that
 * writes now and then. `BEGIN IMMEDIATE` takes the write lock first (waiting at most
 * busy_timeout for it), so a transaction's reads and writes see one state and its
 * writes never meet a stale snapshot. Every transaction on the pooled connection is a
 * write transaction in this code base (reads for serving have their own connection),
 * except where a transaction mostly reads and must not wait for another process's
 * commit: it asks for `DEFERRED` (a run claim, which refuses a busy lane by reading).
 */
import { createRequire } from 'node:module';
import type { Knex } from 'knex';

const require = createRequire(import.meta.url);

interface TransactionInternals {
  query(conn: unknown, sql: string): Promise<unknown>;
}

/**
 * The transaction config asking for a plain deferred BEGIN (see above). Its own key:
 * knex replaces `userParams` with the instance's own before the transaction sees them.
 */
export const DEFERRED = { sqliteDeferred: true } as unknown as Knex.TransactionConfig;

type Ctor<T> = new (...args: never[]) => T;

const SqliteClient = require('knex/lib/dialects/sqlite3/index.js') as Ctor<Knex.Client>;
const SqliteTransaction = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as new (
  client: unknown,
  container: unknown,
  config: unknown,
  outerTx: unknown,
) => TransactionInternals & { begin(conn: unknown): Promise<unknown> };

class ImmediateTransaction extends SqliteTransaction {
  private readonly deferred: boolean;

  constructor(client: unknown, container: unknown, config: unknown, outerTx: unknown) {
    super(client, container, config, outerTx);
    // Set before BEGIN: the base class begins once it has a connection, asynchronously.
    this.deferred = (config as { sqliteDeferred?: boolean } | undefined)?.sqliteDeferred === true;
  }

  override begin(conn: unknown): Promise<unknown> {
    return this.query(conn, this.deferred ? 'BEGIN;' : 'BEGIN IMMEDIATE;');
  }
}

export class ImmediateSqliteClient extends SqliteClient {
  override transaction(container: unknown, config: unknown, outerTx: unknown): Knex.Transaction {
    const Tx = ImmediateTransaction as unknown as new (...a: unknown[]) => Knex.Transaction;
    return new Tx(this, container, config, outerTx);
  }
}

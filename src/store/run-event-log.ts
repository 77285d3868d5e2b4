/**
 * Reads the run event log (the `run_events` table, written by a trigger on `runs` in
 * the same transaction as each status change; see migration 20261203050001). An
 * event's cursor is its id: ids are visible in increasing order on both engines, so
 * "everything after cursor c" never misses an event that commits later.
 */
import type { Knex } from 'knex';
import { T } from './tables';
import { toRun, type DbRunRow } from './run.row';
import type { Run, RunStatus } from '../domain/run';
import { rowsBeside, type ReadStatements } from './read-statements';

export const RUN_EVENTS_TABLE = 'run_events';

/** A run as it was announced by one event: the run's row with the event's status and cursor. */
export type RunEvent = Run & { eventCursor: string };

export interface RunEventFilter {
  contract?: string | null;
  environment?: string | null;
}

interface EventColumns {
  event_id: number | string;
  event_status: string;
  e_read: number;
  e_valid: number;
  e_rejected: number;
  e_written: number;
  e_filtered: number;
}

export class RunEventLog {
  /**
   * `reads`: where a server's poller reads beside the writer (the online reads' own
   * connection), so that on SQLite subscribers are not held up while a run's commit
   * holds the pooled connection. Without it, everything goes through `db`.
   */
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly reads: () => ReadStatements | null = () => null,
  ) {}

  private rows<R>(q: Knex.QueryBuilder): Promise<R[]> {
    return rowsBeside<R>(this.reads(), q);
  }

  /** The newest cursor, or 0 when the log is empty. */
  async latestCursor(): Promise<number> {
    const [row] = await this.rows<{ c: number | string | null }>(this.db(RUN_EVENTS_TABLE).max({ c: 'id' }));
    return Number(row?.c ?? 0);
  }

  /** Up to `limit` events after `cursor`, oldest first (one index range scan). */
  async after(cursor: number, limit: number, filter: RunEventFilter = {}): Promise<RunEvent[]> {
    const q = this.db(`${RUN_EVENTS_TABLE} as e`)
      .join(`${T.runs} as r`, 'r.id', 'e.run_id')
      .where('e.id', '>', cursor)
      .orderBy('e.id')
      .limit(limit)
      .select('r.*', {
        event_id: 'e.id',
        event_status: 'e.status',
        e_read: 'e.rows_read',
        e_valid: 'e.rows_valid',
        e_rejected: 'e.rows_rejected',
        e_written: 'e.rows_written',
        e_filtered: 'e.rows_filtered',
      });
    if (filter.contract) q.where('e.contract_name', filter.contract);
    if (filter.environment) q.where('e.environment', filter.environment);
    const rows = await this.rows<DbRunRow & EventColumns>(q);
    return rows.map((row) => ({
      // The counts as of the change, not as the run row reads now.
      ...toRun({
        ...row,
        rows_read: row.e_read,
        rows_valid: row.e_valid,
        rows_rejected: row.e_rejected,
        rows_written: row.e_written,
        rows_filtered: row.e_filtered,
      }),
      status: row.event_status as RunStatus,
      eventCursor: String(row.event_id),
    }));
  }

  /** Deletes events created before `before` (epoch ms); returns how many. */
  async prune(before: number): Promise<number> {
    // Looked for first: a delete takes SQLite's write lock even when it finds nothing, and
    // waits for it (busy_timeout) while another process commits a large run.
    if (!(await this.db(RUN_EVENTS_TABLE).where('created_at', '<', before).first('id'))) return 0;
    return this.db(RUN_EVENTS_TABLE).where('created_at', '<', before).delete();
  }
}

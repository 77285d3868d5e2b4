/**
 * Run lease renewals: one short statement on a connection of their own (Db.leases), so
 * a heartbeat never queues behind the process's own work on the pool. On SQLite it
 * still waits for the database's write lock (at most busy_timeout) while any
 * connection, this process's commit included, holds it; the sweep does not take such
 * a lapse for a death when it can see the holder alive (scheduling/incarnation.ts).
 */
import type { Knex } from 'knex';
import { T } from './tables';

export class LeaseRepository {
  constructor(private readonly db: Knex) {}

  /** Extends a running run's lease; false when the run is no longer `instance`'s (ended, or recovered elsewhere). */
  async extend(id: string, instance: string, leaseUntil: number): Promise<boolean> {
    const n = await this.db(T.runs)
      .where({ id, status: 'running', claimed_by: instance })
      .update({ lease_until: leaseUntil });
    return n > 0;
  }

  /** Where a run stands, read on the same connection (why a renewal found it no longer held). */
  async state(
    id: string,
  ): Promise<{ status: string; errorKind: string | null; error: string | null } | null> {
    const row = (await this.db(T.runs).where({ id }).first('status', 'error_kind', 'error')) as
      { status: string; error_kind: string | null; error: string | null } | undefined;
    return row ? { status: row.status, errorKind: row.error_kind, error: row.error } : null;
  }
}

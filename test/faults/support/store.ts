/** Reads of the store under test, straight from its database, for the assertions. */
import type { FaultDb } from './pg';

export interface DbRun {
  id: string;
  contract_name: string;
  environment: string;
  trigger: string;
  status: string;
  error: string | null;
  error_kind: string | null;
  parent_run_id: string | null;
  attempt: number;
  claimed_by: string | null;
  rows_read: number;
  rows_valid: number;
  rows_written: number;
}

export async function runs(db: FaultDb, where = 'true', params: unknown[] = []): Promise<DbRun[]> {
  return db.query<DbRun>(
    `SELECT id, contract_name, environment, trigger, status, error, error_kind, parent_run_id, attempt, claimed_by,
            rows_read, rows_valid, rows_written
       FROM runs WHERE ${where} ORDER BY queued_at, id`,
    params,
  );
}

export async function run(db: FaultDb, id: string): Promise<DbRun | null> {
  return (await runs(db, 'id = $1', [id]))[0] ?? null;
}

export async function count(db: FaultDb, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.query<{ n: string }>(sql, params);
  return Number(row?.n ?? 0);
}

/** Rows a run left anywhere in the store: feature rows, rejects, lineage edges. */
export async function leftovers(
  db: FaultDb,
  runId: string,
): Promise<{ features: number; rejects: number; lineage: number }> {
  return {
    features: await count(
      db,
      'SELECT count(*) AS n FROM feature_rows WHERE run_seq = (SELECT seq FROM runs WHERE id = $1)',
      [runId],
    ),
    rejects: await count(db, 'SELECT count(*) AS n FROM rejected_rows WHERE run_id = $1', [runId]),
    lineage: await count(db, 'SELECT count(*) AS n FROM lineage_edges WHERE run_id = $1', [runId]),
  };
}

/** Whether a session of this database is inside the commit transaction, inserting feature rows. */
export async function commitInFlight(db: FaultDb): Promise<boolean> {
  const n = await count(
    db,
    `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid()
        AND state IN ('active', 'idle in transaction') AND query ILIKE 'insert into "feature_rows"%'`,
    [db.name],
  );
  return n > 0;
}

/** The instance (by pid) that claimed a run: claimed_by is `host:pid`. */
export function claimedByPid(claimedBy: string | null): number | null {
  const m = /:(\d+)$/.exec(claimedBy ?? '');
  return m ? Number(m[1]) : null;
}

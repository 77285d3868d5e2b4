/**
 * The statements of the view-scope expectations (quality/view-checks.ts). Each is one
 * set-based statement over the view's visible rows as they will be once the running
 * run commits, read inside its commit transaction:
 *
 *   visible runs = the view's committed, not invalidated runs (a rolled back or
 *                  superseded run is invalidated), plus the running run itself, less
 *                  the run a reprocess replaces (it is superseded in the same commit).
 *
 * Row count reads the run_seq index (one range per visible run, no feature row read);
 * duplicates and gaps walk the point-in-time index (view_id, entity_key, event_time)
 * once, in its order, so the grouping and the per-entity LAG need no sort; freshness
 * reads one recorded newest event time per visible run (runs.newest_event_time).
 */
import { T } from './tables';

const F = T.featureRows;
const R = T.runs;
const V = T.featureViews;

/** Bindings of VISIBLE_RUNS, in order. */
export interface ViewScope {
  environment: string;
  contract: string;
  major: number;
  /** The running run, whose rows count although it has not committed yet. */
  runId: string;
  /** The run a reprocess supersedes in this commit, or null. */
  replaces: string | null;
  /**
   * The running run's newest event time: its run row is written only at the very end
   * of the commit (its lock would hold up the run's lease renewals), so it is given here.
   */
  ownNewest: number | null;
  /**
   * PostgreSQL only: the view's id and its visible runs' numbers, read first (two small
   * statements) and bound as values. Given the subqueries instead, its planner turns the
   * run filter into a hash join over a sequential scan and sorts the view; given values,
   * it walks the point-in-time index in order.
   */
  resolved?: { viewId: number; runSeqs: number[] };
}

const VISIBLE_RUNS = `SELECT seq FROM ${R}
  WHERE environment = ? AND contract_name = ? AND contract_major = ?
    AND ((committed_at IS NOT NULL AND invalidated_at IS NULL) OR id = ?) AND id <> ?`;

const VIEW_ID = `(SELECT id FROM ${V} WHERE environment = ? AND contract_name = ? AND contract_major = ?)`;

function runBindings(s: ViewScope): unknown[] {
  return [s.environment, s.contract, s.major, s.runId, s.replaces ?? ''];
}

function viewBindings(s: ViewScope): unknown[] {
  return [s.environment, s.contract, s.major];
}

/**
 * The view's runs that can hold rows (committed, or this run), each marked visible or
 * not, with the view's id: for ViewScope.resolved and the check's record. One statement,
 * so on PostgreSQL the visible runs and the hidden ones (committed, rolled back or
 * superseded, which the record-based statements leave out) come from one snapshot, even
 * if a rollback commits while the checks run. A run that never committed has no rows:
 * they are written in its commit transaction, and another running one's are not visible
 * to this transaction.
 */
export function resolveQuery(s: ViewScope): Statement {
  return {
    sql: `SELECT seq, id, ${VIEW_ID} AS view_id,
        CASE WHEN seq IN (${VISIBLE_RUNS}) THEN 1 ELSE 0 END AS visible
      FROM ${R} WHERE environment = ? AND contract_name = ? AND contract_major = ?
        AND (committed_at IS NOT NULL OR id = ?)`,
    bindings: [...viewBindings(s), ...runBindings(s), ...viewBindings(s), s.runId],
  };
}

/** The view's visible rows: (entity_key, event_time) in the point-in-time index's order. */
function visibleRows(s: ViewScope, columns: string): Statement {
  if (s.resolved)
    return {
      sql: `SELECT ${columns} FROM ${F} f WHERE f.view_id = ? AND f.run_seq = ANY(?::int[])`,
      bindings: [s.resolved.viewId, s.resolved.runSeqs],
    };
  return {
    sql: `SELECT ${columns} FROM ${F} f
    WHERE f.view_id = ${VIEW_ID} AND f.run_seq IN (${VISIBLE_RUNS})`,
    bindings: [...viewBindings(s), ...runBindings(s)],
  };
}

export interface Statement {
  sql: string;
  bindings: unknown[];
}

export function rowCountQuery(s: ViewScope): Statement {
  if (s.resolved)
    return {
      // view_id is redundant for the result (a run writes one view) but lets PostgreSQL
      // prune the scan to the view's partition.
      sql: `SELECT COUNT(*) AS n FROM ${F} f WHERE f.view_id = ? AND f.run_seq = ANY(?::int[])`,
      bindings: [s.resolved.viewId, s.resolved.runSeqs],
    };
  return {
    sql: `SELECT COUNT(*) AS n FROM ${F} f WHERE f.run_seq IN (${VISIBLE_RUNS})`,
    bindings: runBindings(s),
  };
}

/**
 * Groups of more than one visible row per (entity, event time): the first `limit` in
 * key order, each carrying the totals over every group (window aggregates over the
 * groups, computed before the LIMIT), so one statement says both.
 */
export function duplicatesQuery(s: ViewScope, limit: number): Statement {
  const rows = visibleRows(s, 'f.entity_key, f.event_time, COUNT(*) AS n');
  return {
    sql: `WITH d AS (
        ${rows.sql}
        GROUP BY f.entity_key, f.event_time HAVING COUNT(*) > 1)
      SELECT entity_key, event_time, n, COUNT(*) OVER () AS groups_total, SUM(n - 1) OVER () AS extra_rows
      FROM d ORDER BY entity_key, event_time LIMIT ?`,
    bindings: [...rows.bindings, limit],
  };
}

/** Each visible row with the event time before it in its entity's series (null for the first). */
function series(s: ViewScope): Statement {
  const rows = visibleRows(
    s,
    'f.entity_key, f.event_time, LAG(f.event_time) OVER (PARTITION BY f.entity_key ORDER BY f.event_time) AS prev',
  );
  return { sql: `WITH s AS (${rows.sql})`, bindings: rows.bindings };
}

/**
 * Counts of entities, gaps (a step longer than the interval), entities with gaps and
 * missing steps. The divisor is cast: node-sqlite3 binds a number beyond 32 bits (an
 * interval of 25 days or more) as a real, and the division would not be whole steps.
 */
export function gapCountsQuery(s: ViewScope, intervalMs: number): Statement {
  const w = series(s);
  return {
    sql: `${w.sql}
      SELECT SUM(CASE WHEN prev IS NULL THEN 1 ELSE 0 END) AS entities,
        SUM(CASE WHEN event_time - prev > ? THEN 1 ELSE 0 END) AS gaps,
        COUNT(DISTINCT CASE WHEN event_time - prev > ? THEN entity_key END) AS entities_with_gaps,
        SUM(CASE WHEN event_time - prev > ? THEN (event_time - prev - 1) / CAST(? AS BIGINT) ELSE 0 END) AS missing
      FROM s`,
    bindings: [...w.bindings, intervalMs, intervalMs, intervalMs, intervalMs],
  };
}

/** The first `limit` gaps in (entity, time) order: read only when there are some. */
export function gapSampleQuery(s: ViewScope, intervalMs: number, limit: number): Statement {
  const w = series(s);
  return {
    sql: `${w.sql}
      SELECT entity_key, prev, event_time FROM s WHERE event_time - prev > ?
      ORDER BY entity_key, event_time LIMIT ?`,
    bindings: [...w.bindings, intervalMs, limit],
  };
}

/**
 * The newest visible event time: one recorded value per visible run, no feature row
 * read (the running run's is still null here; the reader adds ViewScope.ownNewest).
 */
export function newestQuery(s: ViewScope): Statement {
  return {
    sql: `SELECT MAX(newest_event_time) AS newest FROM ${R} WHERE seq IN (${VISIBLE_RUNS})`,
    bindings: runBindings(s),
  };
}

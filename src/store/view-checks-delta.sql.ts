/**
 * The view-scope checks when the view is known from its last check (store/view-check-state.ts):
 * only this run's rows and their neighbours are read, so a daily run on a ten-million-row
 * view costs what its own rows cost.
 *
 * Each statement starts from the run's rows (the run_seq index) and, for each distinct
 * (entity, event time) among them, seeks the point-in-time index (view_id, entity_key,
 * event_time, run_seq) of the view: a count at that key, or the visible event time just
 * before and just after it. That is one bounded index probe per row of the run, inside
 * one statement, never a walk of the view.
 *
 * Why the neighbours are enough: these statements are used only when the view had no
 * duplicate and no gap at its last check and exactly the same runs are visible since.
 * Then a new duplicate can only be at a key of this run, and a gap in the new series is
 * a step between two consecutive visible times of which at least one is this run's: a
 * step between two old times that are still consecutive was a step of the old series.
 */
import type { Engine } from './dialect';
import { T } from './tables';
import type { Statement } from './view-checks.sql';

const F = T.featureRows;

/** The view, this run and the view's runs that are not visible (all resolved to numbers). */
export interface DeltaScope {
  engine: Engine;
  viewId: number;
  ownSeq: number;
  hiddenSeqs: readonly number[];
}

/**
 * `alias.run_seq` not among the hidden runs. Every row reached through the view's index
 * belongs to one of the view's runs (a run writes only its own view), so leaving out
 * the few hidden ones is the visibility test, and no test at all when there are none
 * (listing the visible runs instead cost twice the time of the gap statement at 100 runs).
 */
function visible(d: DeltaScope, alias: string): Statement {
  if (d.hiddenSeqs.length === 0) return { sql: '1 = 1', bindings: [] };
  if (d.engine === 'postgres')
    return { sql: `${alias}.run_seq <> ALL(?::int[])`, bindings: [[...d.hiddenSeqs]] };
  // Numbers read from runs.seq, never user text; a literal list keeps every binding positional.
  const list = d.hiddenSeqs.map((s) => String(Math.trunc(Number(s)))).join(', ');
  return { sql: `${alias}.run_seq NOT IN (${list})`, bindings: [] };
}

/**
 * The run's rows are found by run_seq alone (a run writes one view). Given the view too,
 * either planner may take the point-in-time index's `view_id = ?` prefix, a walk of the
 * whole view (SQLite as its plan, PostgreSQL ANDing it as a bitmap before statistics);
 * without it, PostgreSQL probes each partition's run_seq index, an empty probe but one.
 */
const OWN = `FROM ${F} o WHERE o.run_seq = ?`;

/**
 * The run's distinct keys in the index's order, so the probes that follow walk the
 * point-in-time index forward instead of jumping about it: on a view bigger than the
 * database's cache, PostgreSQL's hashed DISTINCT sent each probe to a cold page.
 */
function ownKeys(d: DeltaScope): Statement {
  return {
    sql: `SELECT DISTINCT o.entity_key, o.event_time ${OWN} ORDER BY o.entity_key, o.event_time`,
    bindings: [d.ownSeq],
  };
}

/** The run's rows: one range of the run_seq index. */
export function ownRowCountQuery(d: DeltaScope): Statement {
  return { sql: `SELECT COUNT(*) AS n ${OWN}`, bindings: [d.ownSeq] };
}

/** As duplicatesQuery, over the run's keys only: the visible rows at each, where more than one. */
export function ownDuplicatesQuery(d: DeltaScope, limit: number): Statement {
  const keys = ownKeys(d);
  const vis = visible(d, 'v');
  return {
    sql: `WITH k AS (${keys.sql}),
      c AS MATERIALIZED (SELECT k.entity_key, k.event_time,
          (SELECT COUNT(*) FROM ${F} v
            WHERE v.view_id = ? AND v.entity_key = k.entity_key AND v.event_time = k.event_time AND ${vis.sql}) AS n
        FROM k)
      SELECT entity_key, event_time, n, COUNT(*) OVER () AS groups_total, SUM(n - 1) OVER () AS extra_rows
      FROM c WHERE n > 1 ORDER BY entity_key, event_time LIMIT ?`,
    bindings: [...keys.bindings, d.viewId, ...vis.bindings, limit],
  };
}

/**
 * The steps of the new series that touch this run's times, as (entity_key, from_t, to_t)
 * longer than the interval: from the visible time before each of the run's times to it,
 * and from it to the visible time after it unless that one is the run's too (then it is
 * that time's step back, counted once).
 */
function ownGaps(d: DeltaScope, intervalMs: number): Statement {
  const keys = ownKeys(d);
  const prev = neighbour(d, 'before', intervalMs);
  const next = neighbour(d, 'after', intervalMs);
  return {
    sql: `WITH k AS (${keys.sql}),
      p AS MATERIALIZED (SELECT k.entity_key, k.event_time, ${prev.sql} AS prev, ${next.sql} AS next FROM k),
      g AS (
        SELECT entity_key, prev AS from_t, event_time AS to_t FROM p WHERE event_time - prev > ?
        UNION ALL
        SELECT p.entity_key, p.event_time, p.next FROM p WHERE p.next - p.event_time > ?
          AND (SELECT 1 FROM ${F} w
            WHERE w.view_id = ? AND w.entity_key = p.entity_key AND w.event_time = p.next AND w.run_seq = ?
            LIMIT 1) IS NULL)`,
    bindings: [
      ...keys.bindings,
      ...prev.bindings,
      ...next.bindings,
      intervalMs,
      intervalMs,
      d.viewId,
      d.ownSeq,
    ],
  };
}

/**
 * The visible event time just before (or after) a key of the run, in its entity. Looked
 * for within one interval first: in a series without gaps it is there, and a scan kept
 * to that range reads one index entry, where PostgreSQL's unbounded backward scan reads
 * every entry of the entity on the index page (about 12 µs against 2 µs, measured). Only
 * when nothing is that close (a gap, or the entity's first time) is the whole entity
 * searched; COALESCE evaluates its second argument only then. SQLite steps back one
 * entry either way, so it takes the plain probe (the bounded one first cost it a third
 * more).
 */
function neighbour(d: DeltaScope, side: 'before' | 'after', intervalMs: number): Statement {
  const [cmp, bound, order] = side === 'before' ? ['<', '>=', 'DESC'] : ['>', '<=', 'ASC'];
  const near = visible(d, 'v');
  const far = visible(d, 'v');
  const probe = (extra: string, vis: Statement) =>
    `(SELECT v.event_time FROM ${F} v
      WHERE v.view_id = ? AND v.entity_key = k.entity_key AND v.event_time ${cmp} k.event_time${extra}
        AND ${vis.sql}
      ORDER BY v.event_time ${order} LIMIT 1)`;
  if (d.engine === 'sqlite') return { sql: probe('', far), bindings: [d.viewId, ...far.bindings] };
  const offset = side === 'before' ? '-' : '+';
  return {
    sql: `COALESCE(${probe(` AND v.event_time ${bound} k.event_time ${offset} ?`, near)}, ${probe('', far)})`,
    bindings: [d.viewId, intervalMs, ...near.bindings, d.viewId, ...far.bindings],
  };
}

/*
 * "No such row" is written as a scalar subquery with LIMIT 1 IS NULL, not NOT EXISTS:
 * PostgreSQL turns NOT EXISTS into an anti-join, and before statistics it hashes the
 * whole view for it; a LIMIT subquery stays a probe per key.
 */

/**
 * Counts of the gaps the run's times touch, and of the run's entities that had no visible
 * row before it (the view's entity count grows by those).
 */
export function ownGapCountsQuery(d: DeltaScope, intervalMs: number): Statement {
  const g = ownGaps(d, intervalMs);
  const vis = visible(d, 'v');
  // Only an entity whose earliest time in the run has no visible time before it can be
  // new (any later time of the run has that one before it), so only those are probed:
  // in a daily series that is the entities that start in this run.
  return {
    sql: `${g.sql}
      SELECT
        (SELECT COUNT(*) FROM (SELECT DISTINCT entity_key FROM p WHERE prev IS NULL) e
          WHERE (SELECT 1 FROM ${F} v
            WHERE v.view_id = ? AND v.entity_key = e.entity_key AND v.run_seq <> ? AND ${vis.sql}
            LIMIT 1) IS NULL) AS new_entities,
        COUNT(*) AS gaps,
        COUNT(DISTINCT entity_key) AS entities_with_gaps,
        COALESCE(SUM((to_t - from_t - 1) / CAST(? AS BIGINT)), 0) AS missing
      FROM g`,
    bindings: [...g.bindings, d.viewId, d.ownSeq, ...vis.bindings, intervalMs],
  };
}

/** The first `limit` of those gaps in (entity, time) order: read only when there are some. */
export function ownGapSampleQuery(d: DeltaScope, intervalMs: number, limit: number): Statement {
  const g = ownGaps(d, intervalMs);
  return {
    sql: `${g.sql}
      SELECT entity_key, from_t AS prev, to_t AS event_time FROM g ORDER BY entity_key, from_t LIMIT ?`,
    bindings: [...g.bindings, limit],
  };
}

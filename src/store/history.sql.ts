/**
 * The statement behind FeatureRepository.history: per requested entity, its visible
 * rows in [from, to], and before `from` the newest `maxRows` rows, every row within
 * `maxDurationMs`, and for each `lastNonNull` feature the newest rows where that
 * feature is not null (a diff to the last non-null value, or a monotonic check, must
 * reach past a run of nulls however long). One row per event time (the greater
 * precedence wins).
 *
 * It must cost what the batch asks for, not what the store holds. So the requests
 * drive: they travel as one bound value (a JSON array read by json_each on SQLite,
 * three arrays read by unnest on PostgreSQL), and for each one a few short backward
 * walks of the (view, entity, event time) index find `lo`, the oldest event time any
 * rule keeps (the maxRows-th distinct visible time before `from`, `from` minus the
 * duration, the n-th newest non-null winner). Then one index range scan per request
 * reads [lo, to], and keepHistory (history-keep.ts) picks exactly the rows to keep. The
 * join order is forced (CROSS JOIN on SQLite, LATERAL on PostgreSQL): without
 * statistics the SQLite planner put the feature table outside and the requests inside,
 * which read every row of the view once per request as soon as a view held ~1,000 entities.
 */
import { T } from './tables';
import type { Engine } from './dialect';
import type { HistoryOptions, HistoryRequest } from './feature-rows.types';
import { winnerOrder } from './winner-order';
import { Params } from './sql-params';

const F = T.featureRows;
const R = T.runs;

/** Below every event time: "no lower bound" when a rule finds fewer rows than it may keep. */
const NO_BOUND = -Number.MAX_SAFE_INTEGER;

/** SQLite's JSON path of a top-level key, quoted whatever the name holds. */
const jsonPath = (name: string) => `$."${name.replace(/"/g, '""')}"`;

/** SQL for "feature `name` of row `f` is not JSON null / absent". */
function jsonNotNull(q: Params, f: string, name: string): string {
  if (q.engine === 'postgres') return `(${f}.feature_values::json ->> ${q.p(name, 'text')}) IS NOT NULL`;
  return `json_extract(${f}.feature_values, ${q.p(jsonPath(name))}) IS NOT NULL`;
}

/** Which runs count: not excluded, and visible now or, with `knownAt`, at that system time. */
interface Scope {
  exclude: string[];
  knownAt?: number;
}

/** Rows `f` of the view, of runs `r` visible in `scope`. */
function visible(q: Params, f: string, r: string, view: number, scope: Scope): string {
  const { exclude, knownAt } = scope;
  const excl = exclude.length ? `AND ${r}.id NOT IN (${exclude.map((id) => q.p(id)).join(', ')})` : '';
  // A plan replays a past run against the store as it was known just before that run committed.
  const when =
    knownAt === undefined
      ? `${r}.invalidated_at IS NULL`
      : `${r}.committed_at <= ${q.p(knownAt, 'bigint')} AND (${r}.invalidated_at IS NULL OR ${r}.invalidated_at > ${q.p(knownAt, 'bigint')})`;
  return `${r}.seq = ${f}.run_seq AND ${f}.view_id = ${q.p(view)}
      AND ${r}.committed_at IS NOT NULL AND ${when} ${excl}`;
}

const scopeOf = (opts: HistoryOptions): Scope => ({
  exclude: opts.excludeRunIds ?? [],
  knownAt: opts.knownAt,
});

/** The n-th newest distinct visible event time before the request's `from` (NULL: fewer). */
function nthTimeBefore(q: Params, view: number, exclude: Scope, n: number): string {
  return `(SELECT DISTINCT f1.event_time FROM ${F} f1 CROSS JOIN ${R} r1
      WHERE ${visible(q, 'f1', 'r1', view, exclude)}
        AND f1.entity_key = req.ek AND f1.event_time < req.tmin
      ORDER BY f1.event_time DESC LIMIT 1 OFFSET ${q.p(n - 1, 'bigint')})`;
}

/**
 * The event time of the n-th newest row before `from` that wins its event time and has
 * feature `name` not null (NULL: fewer). A non-null row that loses to a null one at the
 * same time does not count, as in the ranking of the main statement. The winner is a
 * scalar subquery (an index lookup on entity and time per row walked): written as
 * NOT EXISTS, PostgreSQL planned it as an anti join probing the entity's whole history.
 */
function nthNonNullBefore(q: Params, view: number, exclude: Scope, name: string, n: number): string {
  return `(SELECT f1.event_time FROM ${F} f1 CROSS JOIN ${R} r1
      WHERE ${visible(q, 'f1', 'r1', view, exclude)}
        AND f1.entity_key = req.ek AND f1.event_time < req.tmin AND ${jsonNotNull(q, 'f1', name)}
        AND f1.id = (SELECT f3.id FROM ${F} f3 CROSS JOIN ${R} r3
          WHERE ${visible(q, 'f3', 'r3', view, exclude)}
            AND f3.entity_key = f1.entity_key AND f3.event_time = f1.event_time
          ORDER BY ${winnerOrder('f3', 'r3')} LIMIT 1)
      ORDER BY f1.event_time DESC LIMIT 1 OFFSET ${q.p(n - 1, 'bigint')})`;
}

/** `lo` per request: the smallest of the bounds the options ask for, `from` when none. */
function lowerBound(q: Params, view: number, opts: HistoryOptions): string {
  const exclude = scopeOf(opts);
  const terms = ['req.tmin'];
  const open = (sql: string) => `COALESCE(${sql}, ${q.p(NO_BOUND, 'bigint')})`;
  if (opts.maxRows !== null && opts.maxRows > 0)
    terms.push(open(nthTimeBefore(q, view, exclude, opts.maxRows)));
  if (opts.maxDurationMs !== null) terms.push(`req.tmin - ${q.p(opts.maxDurationMs, 'bigint')}`);
  for (const [name, n] of Object.entries(opts.lastNonNull ?? {})) {
    if (n > 0) terms.push(open(nthNonNullBefore(q, view, exclude, name, n)));
  }
  if (terms.length === 1) return terms[0]!;
  return `${q.engine === 'postgres' ? 'LEAST' : 'MIN'}(${terms.join(',\n        ')})`;
}

/** The requests as rows (ek, tmin, tmax), from one bound value per column or one JSON array. */
function requests(q: Params, part: HistoryRequest[]): string {
  if (q.engine === 'postgres') {
    const keys = part.map((r) => r.entityKey);
    const from = part.map((r) => r.from);
    const to = part.map((r) => r.to);
    return `SELECT * FROM unnest(${q.p(keys, 'text[]')}, ${q.p(from, 'bigint[]')}, ${q.p(to, 'bigint[]')}) AS r(ek, tmin, tmax)`;
  }
  const json = JSON.stringify(part.map((r) => [r.entityKey, r.from, r.to]));
  return `SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(${q.p(json)})`;
}

/**
 * Row `f`'s feature values as a JSON object: all of them, or only `columns` (a feature a
 * row lacks is null there, which every reader of history takes as absent). What a window
 * reads is usually a column or two of many: the rest would only be serialised here and
 * parsed again by keepHistory.
 */
function values(q: Params, f: string, columns: readonly string[] | undefined): string {
  if (q.engine === 'postgres') {
    if (!columns) return `${f}.feature_values::json`;
    const pairs = columns.map((c) => `${q.p(c, 'text')}, ${f}.feature_values::json -> ${q.p(c, 'text')}`);
    return `json_build_object(${pairs.join(', ')})`;
  }
  if (!columns) return `json(${f}.feature_values)`;
  // `->` keeps the value's JSON type (true stays true); json_extract would give 1.
  const pairs = columns.map((c) => `${q.p(c)}, ${f}.feature_values -> ${q.p(jsonPath(c))}`);
  return `json_object(${pairs.join(', ')})`;
}

/**
 * Per request, every visible row in [lo, tmax] as one JSON array of [event time,
 * precedence, committed at, row id, feature values]: the first four rank the rows at one
 * event time. One index range scan per request, requests outside. One row per entity
 * rather than per feature row: node-sqlite3 builds a JavaScript object per row and
 * column, which was the larger part of the read (40,000 rows of seven columns took
 * 330 ms on SQLite; the same rows as 10,000 arrays about 160 ms).
 */
function scan(q: Params, view: number, opts: HistoryOptions): string {
  const exclude = scopeOf(opts);
  // keepHistory reads the lastNonNull features of every row it is given.
  const columns = opts.columns && [...new Set([...opts.columns, ...Object.keys(opts.lastNonNull ?? {})])];
  const item = (f: string, r: string) =>
    `${f}.event_time, COALESCE(${r}.precedence, ${r}.committed_at), ${r}.committed_at, ${f}.id, ${values(q, f, columns)}`;
  if (q.engine === 'postgres') {
    return `SELECT b.ek, b.tmin, f.found FROM b CROSS JOIN LATERAL (
          SELECT json_agg(json_build_array(${item('fr', 'r2')})) AS found
          FROM ${F} fr CROSS JOIN ${R} r2
          WHERE ${visible(q, 'fr', 'r2', view, exclude)}
            AND fr.entity_key = b.ek AND fr.event_time >= b.lo AND fr.event_time <= b.tmax) f`;
  }
  return `SELECT b.ek, b.tmin, (SELECT json_group_array(json_array(${item('f', 'r2')}))
          FROM ${F} f CROSS JOIN ${R} r2
          WHERE ${visible(q, 'f', 'r2', view, exclude)}
            AND f.entity_key = b.ek AND f.event_time >= b.lo AND f.event_time <= b.tmax) AS found
        FROM b`;
}

/**
 * `view` is the view's id (feature_views.id). The statement returns every visible row in
 * [lo, tmax], grouped by request: `lo` already stops at the oldest row a rule keeps, so
 * what remains is to pick one row per event time and drop the rows before `from` that no
 * rule keeps (keepHistory). That is done by the caller, not by window functions here:
 * ranking and sorting 40,000 rows in SQL cost the daily run more than finding them.
 */
export function historyStatement(
  engine: Engine,
  view: number,
  part: HistoryRequest[],
  opts: HistoryOptions,
): { sql: string; bindings: unknown[] } {
  const q = new Params(engine);
  return q.bind(`
      WITH req(ek, tmin, tmax) AS (${requests(q, part)}),
      b AS MATERIALIZED (SELECT ek, tmin, tmax, ${lowerBound(q, view, opts)} AS lo FROM req)
      ${scan(q, view, opts)}`);
}

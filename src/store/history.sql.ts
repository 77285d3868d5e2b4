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
 * reads [lo, to], and the ranking below picks exactly the rows to keep. The join order
 * is forced (CROSS JOIN on SQLite, LATERAL on PostgreSQL): without statistics the
 * SQLite planner put the feature table outside and the requests inside, which read
 * every row of the view once per request as soon as a view held ~1,000 entities.
 */
import { T } from './tables';
import type { Engine } from './dialect';
import type { HistoryOptions, HistoryRequest } from './feature.repository';

const F = T.featureRows;
const R = T.runs;

/** Below every event time: "no lower bound" when a rule finds fewer rows than it may keep. */
const NO_BOUND = -Number.MAX_SAFE_INTEGER;

/**
 * Bindings for a statement built from pieces: each placeholder is a marker naming its
 * value, and `bind` turns the finished text into `?`s with the values in text order, so
 * the order the pieces are built in does not matter.
 */
class Params {
  private readonly values: unknown[] = [];
  constructor(readonly engine: Engine) {}
  /** A placeholder for `v`; `pgType` casts it on PostgreSQL, which cannot always infer one. */
  p(v: unknown, pgType?: string): string {
    this.values.push(v);
    return `{{p${this.values.length - 1}}}${this.engine === 'postgres' && pgType ? `::${pgType}` : ''}`;
  }
  bind(text: string): { sql: string; bindings: unknown[] } {
    const bindings: unknown[] = [];
    const sql = text.replace(/\{\{p(\d+)\}\}/g, (_, i: string) => {
      bindings.push(this.values[Number(i)]);
      return '?';
    });
    return { sql, bindings };
  }
}

/** SQL for "feature `name` of row `f` is not JSON null / absent". */
function jsonNotNull(q: Params, f: string, name: string): string {
  if (q.engine === 'postgres') return `(${f}.feature_values::json ->> ${q.p(name, 'text')}) IS NOT NULL`;
  return `json_extract(${f}.feature_values, ${q.p(`$."${name.replace(/"/g, '""')}"`)}) IS NOT NULL`;
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

/** Among rows at one (entity, event time), the winner first: the greater precedence, then the later row. */
const order = (f: string, r: string) =>
  `COALESCE(${r}.precedence, ${r}.committed_at) DESC, ${r}.committed_at DESC, ${f}.id DESC`;

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
          ORDER BY ${order('f3', 'r3')} LIMIT 1)
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
 * Every visible row in [lo, tmax] of each request, with its rank among the rows at the
 * same event time (dup = 1 wins). One index range scan per request, requests outside.
 */
function scan(q: Params, view: number, opts: HistoryOptions, flags: (f: string) => string): string {
  const exclude = scopeOf(opts);
  const dup = (f: string, r: string) =>
    `ROW_NUMBER() OVER (PARTITION BY b.ek, ${f}.event_time ORDER BY ${order(f, r)}) AS dup`;
  if (q.engine === 'postgres') {
    // OFFSET 0 keeps the LATERAL subquery whole: pulled up into the outer query, it was
    // planned as a hash join over every row of the view.
    return `SELECT b.ek, b.tmin, f.event_time, f.feature_values, ${flags('f')}${dup('f', 'f')}
        FROM b CROSS JOIN LATERAL (
          SELECT fr.id, fr.event_time, fr.feature_values, r2.precedence, r2.committed_at
          FROM ${F} fr CROSS JOIN ${R} r2
          WHERE ${visible(q, 'fr', 'r2', view, exclude)}
            AND fr.entity_key = b.ek AND fr.event_time >= b.lo AND fr.event_time <= b.tmax
          OFFSET 0) f`;
  }
  return `SELECT b.ek, b.tmin, f.event_time, f.feature_values, ${flags('f')}${dup('f', 'r2')}
        FROM b CROSS JOIN ${F} f CROSS JOIN ${R} r2
        WHERE ${visible(q, 'f', 'r2', view, exclude)}
          AND f.entity_key = b.ek AND f.event_time >= b.lo AND f.event_time <= b.tmax`;
}

/** `view` is the view's id (feature_views.id). */
export function historyStatement(
  engine: Engine,
  view: number,
  part: HistoryRequest[],
  opts: HistoryOptions,
): { sql: string; bindings: unknown[] } {
  const q = new Params(engine);
  const nonNull = Object.entries(opts.lastNonNull ?? {});
  const flags = (f: string) =>
    nonNull
      .map(([name], k) => `CASE WHEN ${jsonNotNull(q, f, name)} THEN 1 ELSE 0 END AS nv${k},\n          `)
      .join('');
  const ranks = nonNull.map(
    (_, k) =>
      `ROW_NUMBER() OVER (PARTITION BY ek, CASE WHEN event_time < tmin THEN 0 ELSE 1 END, nv${k} ORDER BY event_time DESC) AS nn${k},\n               `,
  );
  const keep = () => {
    const before: string[] = [];
    if (opts.maxRows !== null) before.push(`rn <= ${q.p(opts.maxRows, 'bigint')}`);
    if (opts.maxDurationMs !== null) before.push(`event_time >= tmin - ${q.p(opts.maxDurationMs, 'bigint')}`);
    nonNull.forEach(([, count], k) => before.push(`(nv${k} = 1 AND nn${k} <= ${q.p(count, 'bigint')})`));
    return before.length ? `OR (${before.join(' OR ')})` : '';
  };
  return q.bind(`
      WITH req(ek, tmin, tmax) AS (${requests(q, part)}),
      b AS MATERIALIZED (SELECT ek, tmin, tmax, ${lowerBound(q, view, opts)} AS lo FROM req)
      SELECT ek, event_time, feature_values FROM (
        SELECT ek, tmin, event_time, feature_values,
               ${ranks.join('')}ROW_NUMBER() OVER (PARTITION BY ek, CASE WHEN event_time < tmin THEN 0 ELSE 1 END
                                  ORDER BY event_time DESC) AS rn${nonNull.map((_, k) => `, nv${k}`).join('')}
        FROM (
          ${scan(q, view, opts, flags)}
        ) d WHERE dup = 1
      ) t
      WHERE event_time >= tmin ${keep()}
      ORDER BY ek, event_time`);
}

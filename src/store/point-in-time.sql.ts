/**
 * The point-in-time statement of FeatureRepository.eachPointInTime and what goes with
 * it: the request order, the system-time predicate and the per-run columns of a match.
 */
import { T } from './tables';
import { supportsLateral, toMillis, type Engine } from './dialect';
import type { MatchedRow, PointOptions, PointRequest } from './feature.repository';

const F = T.featureRows;
const R = T.runs;

/** Requests per statement: big enough that round trips do not count, small enough to stream. */
export const PIT_CHUNK = 10_000;
/** Matched rows decoded between two turns of the event loop while the next chunk is read. */
export const YIELD_EVERY = 2_000;

export interface DbMatch {
  idx: number | string;
  event_time: number | string | null;
  feature_values: string | null;
  run_id: string | null;
  contract_version: string | null;
  committed_at: number | string | null;
}

/**
 * The statement for one chunk: `part` holds request indices; a result row's idx is its
 * position in `part`. `viewId` is the view's feature_views.id; `version`, when given,
 * keeps only rows written under that contract version.
 */
export function pointInTimeQuery(
  engine: Engine,
  view: { viewId: number; version?: string },
  requests: PointRequest[],
  part: Uint32Array,
  opts: PointOptions,
): { sql: string; bindings: unknown[] } {
  const bindings: unknown[] = [];
  if (supportsLateral(engine)) {
    const keys: string[] = new Array(part.length);
    const times: number[] = new Array(part.length);
    for (let j = 0; j < part.length; j++) {
      keys[j] = requests[part[j]!]!.entityKey;
      times[j] = requests[part[j]!]!.at;
    }
    bindings.push(keys, times);
  } else {
    let json = '[';
    for (let j = 0; j < part.length; j++) {
      const p = requests[part[j]!]!;
      json += `${j ? ',' : ''}[${JSON.stringify(p.entityKey)},${JSON.stringify(p.at)}]`;
    }
    bindings.push(json + ']');
  }
  bindings.push(view.viewId);
  if (opts.ttlMs !== undefined) bindings.push(opts.ttlMs);
  if (opts.knownAt !== undefined) bindings.push(opts.knownAt, opts.knownAt);
  if (view.version) bindings.push(view.version);
  return {
    sql: statement(engine, opts.ttlMs !== undefined, !!view.version, opts.knownAt !== undefined),
    bindings,
  };
}

/**
 * The statement text for one shape of request, made once: the online read runs it as a
 * prepared statement looked up by its text (read-statements.ts), and the same string
 * object hashes once.
 */
const statements = new Map<string, string>();
function statement(engine: Engine, ttl: boolean, version: boolean, knownAt: boolean): string {
  const key = `${engine}${+ttl}${+version}${+knownAt}`;
  let sql = statements.get(key);
  if (sql === undefined) statements.set(key, (sql = statementText(engine, ttl, version, knownAt)));
  return sql;
}

function statementText(engine: Engine, ttl: boolean, version: boolean, knownAt: boolean): string {
  const match = `
        FROM ${F} f2 JOIN ${R} r2 ON r2.seq = f2.run_seq
        WHERE f2.view_id = ? AND f2.entity_key = req.ek AND f2.event_time <= req.ts ${ttl ? 'AND f2.event_time > req.ts - ?' : ''}
          AND ${visibility(knownAt)} ${version ? 'AND r2.contract_version = ?' : ''}
        ORDER BY f2.event_time DESC, COALESCE(r2.precedence, r2.committed_at) DESC, r2.committed_at DESC, f2.id DESC
        LIMIT 1`;
  if (supportsLateral(engine)) {
    // PostgreSQL plans the correlated `f.id = (subquery)` form as a hash join over the
    // whole table; LATERAL makes it walk the (entity, event time) index per request.
    return `
      SELECT req.idx - 1 AS idx, m.event_time, m.feature_values, m.run_id, m.contract_version, m.committed_at
      FROM unnest(?::text[], ?::bigint[]) WITH ORDINALITY AS req(ek, ts, idx)
      LEFT JOIN LATERAL (
        SELECT f2.event_time, f2.feature_values, r2.id AS run_id, r2.contract_version, r2.committed_at
        ${match}) m ON true`;
  }
  // SQLite has no LATERAL and runs the correlated subquery through the index already.
  return `
      WITH req(idx, ek, ts) AS (
        SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))
      SELECT req.idx, f.event_time, f.feature_values, r.id AS run_id, r.contract_version, r.committed_at
      FROM req
      LEFT JOIN ${F} f ON f.id = (SELECT f2.id ${match})
      LEFT JOIN ${R} r ON r.seq = f.run_seq`;
}

/** The system-time predicate on runs aliased r2; as of `knownAt` it takes that time twice. */
function visibility(knownAt: boolean): string {
  if (!knownAt) return 'r2.committed_at IS NOT NULL AND r2.invalidated_at IS NULL';
  return 'r2.committed_at IS NOT NULL AND r2.committed_at <= ? AND (r2.invalidated_at IS NULL OR r2.invalidated_at > ?)';
}

export type RunInfo = Pick<MatchedRow, 'runId' | 'contractVersion' | 'committedAt'>;

/** The run columns of a match; one shared object per run (a training set touches few runs). */
export function runInfo(runs: Map<string, RunInfo>, r: DbMatch): RunInfo {
  let info = runs.get(r.run_id!);
  if (!info) {
    info = { runId: r.run_id!, contractVersion: r.contract_version!, committedAt: toMillis(r.committed_at)! };
    runs.set(r.run_id!, info);
  }
  return info;
}

/**
 * Request indices ordered by (entity key, time): the distinct keys are sorted once,
 * the indices are bucketed by key (a counting sort), and each key's few requests
 * are sorted by time.
 */
export function entityTimeOrder(requests: PointRequest[]): Uint32Array {
  const n = requests.length;
  const order = new Uint32Array(n);
  if (n < 2) return order;
  const rankOf = new Map<string, number>();
  for (const r of requests) rankOf.set(r.entityKey, 0);
  const keys = [...rankOf.keys()].sort();
  for (let k = 0; k < keys.length; k++) rankOf.set(keys[k]!, k);
  const rank = new Uint32Array(n);
  const next = new Uint32Array(keys.length + 1);
  for (let i = 0; i < n; i++) next[(rank[i] = rankOf.get(requests[i]!.entityKey)!) + 1]! += 1;
  for (let k = 1; k <= keys.length; k++) next[k]! += next[k - 1]!;
  for (let i = 0; i < n; i++) order[next[rank[i]!]!++] = i;
  // next[k] is now the end of key k's bucket, which starts where key k - 1's ends.
  const byTime = (a: number, b: number) => requests[a]!.at - requests[b]!.at || a - b;
  for (let k = 0, start = 0; k < keys.length; start = next[k]!, k++) {
    if (next[k]! - start > 1) order.subarray(start, next[k]).sort(byTime);
  }
  return order;
}

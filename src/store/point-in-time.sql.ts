/**
 * The point-in-time statement of FeatureRepository.eachPointInTime and what goes with
 * it: the request order, the system-time predicate and the per-run columns of a match.
 */
import { T } from './tables';
import { winnerOrder } from './winner-order';
import { supportsLateral, toMillis, type Engine } from './dialect';
import type { MatchedRow, PointOptions, PointRequest } from './feature-rows.types';

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
  const visible: unknown[] = [];
  if (opts.knownAt !== undefined) visible.push(opts.knownAt, opts.knownAt);
  if (view.version) visible.push(view.version);
  const ttl = opts.ttlMs !== undefined ? [opts.ttlMs] : [];
  // In the order of their placeholders: SQLite's statement reads the view twice (the
  // winner's view id, then the newest visible time's probe, then the winner's runs).
  if (supportsLateral(engine)) bindings.push(view.viewId, ...ttl, ...visible);
  else bindings.push(view.viewId, view.viewId, ...ttl, ...visible, ...visible);
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
  const visible = (r: string) =>
    `${visibility(r, knownAt)} ${version ? `AND ${r}.contract_version = ?` : ''}`;
  if (supportsLateral(engine)) {
    // PostgreSQL plans the correlated `f.id = (subquery)` form as a hash join over the
    // whole table; LATERAL makes it walk the (entity, event time) index per request,
    // backward, and its incremental sort stops at the first event time with a visible row.
    return `
      SELECT req.idx - 1 AS idx, m.event_time, m.feature_values, m.run_id, m.contract_version, m.committed_at
      FROM unnest(?::text[], ?::bigint[]) WITH ORDINALITY AS req(ek, ts, idx)
      LEFT JOIN LATERAL (
        SELECT f2.event_time, f2.feature_values, r2.id AS run_id, r2.contract_version, r2.committed_at
        FROM ${F} f2 JOIN ${R} r2 ON r2.seq = f2.run_seq
        WHERE f2.view_id = ? AND f2.entity_key = req.ek AND f2.event_time <= req.ts ${ttl ? 'AND f2.event_time > req.ts - ?' : ''}
          AND ${visible('r2')}
        ORDER BY f2.event_time DESC, ${winnerOrder('f2', 'r2')}
        LIMIT 1) m ON true`;
  }
  // SQLite sorts every row of the entity up to the request's time when the ORDER BY
  // mixes index and run columns: a probe cost the entity's history. So two probes, each
  // bounded: the newest visible event time (the index walked backward, stopping at the
  // first visible row; CROSS JOIN keeps the index outermost), then the winner among the
  // rows at exactly that time (usually one).
  return `
      WITH req(idx, ek, ts) AS (
        SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))
      SELECT req.idx, f.event_time, f.feature_values, r.id AS run_id, r.contract_version, r.committed_at
      FROM req
      LEFT JOIN ${F} f ON f.id = (
        SELECT f2.id FROM ${F} f2 JOIN ${R} r2 ON r2.seq = f2.run_seq
        WHERE f2.view_id = ? AND f2.entity_key = req.ek AND f2.event_time = (
            SELECT f3.event_time FROM ${F} f3 CROSS JOIN ${R} r3 ON r3.seq = f3.run_seq
            WHERE f3.view_id = ? AND f3.entity_key = req.ek AND f3.event_time <= req.ts ${ttl ? 'AND f3.event_time > req.ts - ?' : ''}
              AND ${visible('r3')}
            ORDER BY f3.event_time DESC
            LIMIT 1)
          AND ${visible('r2')}
        ORDER BY ${winnerOrder('f2', 'r2')}
        LIMIT 1)
      LEFT JOIN ${R} r ON r.seq = f.run_seq`;
}

/** The system-time predicate on a run alias; as of `knownAt` it takes that time twice. */
function visibility(r: string, knownAt: boolean): string {
  if (!knownAt) return `${r}.committed_at IS NOT NULL AND ${r}.invalidated_at IS NULL`;
  return `${r}.committed_at IS NOT NULL AND ${r}.committed_at <= ? AND (${r}.invalidated_at IS NULL OR ${r}.invalidated_at > ?)`;
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

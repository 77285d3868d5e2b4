/**
 * Feature rows: append-only writes and the bitemporal reads. A row is visible at
 * system time K iff its run has committed_at <= K < invalidated_at (K = now when
 * absent); per entity the point-in-time value is the visible row with the greatest
 * event time <= asOf, ties going to the later committed run. Reads are set-based:
 * the requested (entity, time) pairs travel as a VALUES list and each is matched by
 * an index-ordered correlated subquery, on SQLite and PostgreSQL alike.
 */
import type { Knex } from 'knex';
import { T } from './tables';
import { batchInsert, maxBindings, supportsLateral, valuesRow, toMillis, type Engine } from './dialect';
import type { Environment } from '../config';
import type { Value } from '../pipeline/row.types';

/** A row to store: its values as an object, or already serialised (the run's commit does that). */
export type FeatureRowInsert = { entityKey: string; eventTime: number } & (
  | { values: Record<string, Value>; valuesJson?: undefined }
  | { valuesJson: string; values?: undefined }
);

export interface FeatureView {
  environment: Environment;
  contract: string;
  major: number;
  /** Only rows written under this exact contract version. */
  version?: string;
}

export interface MatchedRow {
  entityKey: string;
  eventTime: number;
  values: Record<string, Value>;
  runId: string;
  contractVersion: string;
  committedAt: number;
}

export interface PointRequest {
  entityKey: string;
  /** Epoch ms: match the latest row with event time <= at. */
  at: number;
}

export interface HistoryRequest {
  entityKey: string;
  /** The entity's earliest event time in the batch. */
  from: number;
  /** The entity's latest event time in the batch. */
  to: number;
}

export interface HistoryOptions {
  /** Rows before `from` to keep, newest first; null: none by count. */
  maxRows: number | null;
  /** Keep rows before `from` within this many ms; null: none by duration. */
  maxDurationMs: number | null;
  /** Runs whose rows must not count (the run being reprocessed). */
  excludeRunIds?: string[];
}

interface DbMatch {
  idx: number | string;
  entity_key: string | null;
  event_time: number | string | null;
  feature_values: string | null;
  run_id: string | null;
  contract_version: string | null;
  committed_at: number | string | null;
}

const F = T.featureRows;
const R = T.runs;

export class FeatureRepository {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly engine: Engine,
  ) {}

  async insertMany(
    runId: string,
    view: Omit<FeatureView, 'version'>,
    rows: readonly FeatureRowInsert[],
  ): Promise<void> {
    const columns = [
      'run_id',
      'environment',
      'contract_name',
      'contract_major',
      'entity_key',
      'event_time',
      'feature_values',
    ];
    await batchInsert(this.db, this.engine, F, columns, rows, (r) => [
      runId,
      view.environment,
      view.contract,
      view.major,
      r.entityKey,
      r.eventTime,
      r.valuesJson ?? JSON.stringify(r.values),
    ]);
  }

  /**
   * For each request, the visible row of greatest event time <= at (and > at - ttl
   * when a TTL is given), as known at system time `knownAt`. Result aligned with input.
   */
  async pointInTime(
    view: FeatureView,
    requests: PointRequest[],
    opts: { knownAt?: number; ttlMs?: number } = {},
  ): Promise<Array<MatchedRow | null>> {
    const out: Array<MatchedRow | null> = new Array(requests.length).fill(null);
    const perRow = 3;
    const chunk = Math.floor((maxBindings(this.engine) - 16) / perRow);
    for (let start = 0; start < requests.length; start += chunk) {
      const part = requests.slice(start, start + chunk);
      const rows = await this.matchChunk(view, part, start, opts);
      for (const r of rows) out[Number(r.idx)] = toMatched(r);
    }
    return out;
  }

  private async matchChunk(
    view: FeatureView,
    part: PointRequest[],
    offset: number,
    opts: { knownAt?: number; ttlMs?: number },
  ): Promise<DbMatch[]> {
    const values = part.map(() => valuesRow(this.engine, ['int', 'text', 'bigint'])).join(', ');
    const bindings: unknown[] = [];
    part.forEach((p, i) => bindings.push(offset + i, p.entityKey, p.at));
    const vis = visibility(opts.knownAt);
    const ttl = opts.ttlMs !== undefined ? 'AND f2.event_time > req.ts - ?' : '';
    const version = view.version ? 'AND r2.contract_version = ?' : '';
    const match = `
        FROM ${F} f2 JOIN ${R} r2 ON r2.id = f2.run_id
        WHERE f2.environment = ? AND f2.contract_name = ? AND f2.contract_major = ?
          AND f2.entity_key = req.ek AND f2.event_time <= req.ts ${ttl}
          AND ${vis.sql} ${version}
        ORDER BY f2.event_time DESC, COALESCE(r2.precedence, r2.committed_at) DESC, r2.committed_at DESC, f2.id DESC
        LIMIT 1`;
    // PostgreSQL plans the correlated `f.id = (subquery)` form as a hash join over the
    // whole table; LATERAL makes it walk the (entity, event time) index per request.
    // SQLite has no LATERAL and runs the correlated subquery through the index already.
    const sql = supportsLateral(this.engine)
      ? `WITH req(idx, ek, ts) AS (VALUES ${values})
      SELECT req.idx, m.entity_key, m.event_time, m.feature_values, m.run_id, m.contract_version, m.committed_at
      FROM req LEFT JOIN LATERAL (
        SELECT f2.entity_key, f2.event_time, f2.feature_values, f2.run_id, r2.contract_version, r2.committed_at
        ${match}) m ON true`
      : `WITH req(idx, ek, ts) AS (VALUES ${values})
      SELECT req.idx, f.entity_key, f.event_time, f.feature_values, f.run_id, r.contract_version, r.committed_at
      FROM req
      LEFT JOIN ${F} f ON f.id = (SELECT f2.id ${match})
      LEFT JOIN ${R} r ON r.id = f.run_id`;
    bindings.push(view.environment, view.contract, view.major);
    if (opts.ttlMs !== undefined) bindings.push(opts.ttlMs);
    bindings.push(...vis.bindings);
    if (view.version) bindings.push(view.version);
    const res = await this.db.raw(sql, bindings as Knex.RawBinding[]);
    return (this.engine === 'postgres' ? res.rows : res) as DbMatch[];
  }

  /**
   * The visible history the window features need, per entity: every row with event
   * time in [from, to] (late data lands among stored rows), plus, before `from`, the
   * newest `maxRows` rows and every row within `maxDurationMs`. One row per event
   * time (the later committed run wins). Ascending event time.
   */
  async history(
    view: FeatureView,
    requests: HistoryRequest[],
    opts: HistoryOptions,
  ): Promise<Map<string, Array<{ eventTime: number; values: Record<string, Value> }>>> {
    const out = new Map<string, Array<{ eventTime: number; values: Record<string, Value> }>>();
    const chunk = Math.floor((maxBindings(this.engine) - 64 - (opts.excludeRunIds?.length ?? 0)) / 3);
    for (let start = 0; start < requests.length; start += chunk) {
      const rows = await this.historyChunk(view, requests.slice(start, start + chunk), opts);
      for (const r of rows) {
        const list = out.get(r.ek) ?? [];
        list.push({ eventTime: toMillis(r.event_time)!, values: JSON.parse(r.feature_values) });
        out.set(r.ek, list);
      }
    }
    return out;
  }

  private async historyChunk(
    view: FeatureView,
    part: HistoryRequest[],
    opts: HistoryOptions,
  ): Promise<Array<{ ek: string; event_time: number | string; feature_values: string }>> {
    const values = part.map(() => valuesRow(this.engine, ['text', 'bigint', 'bigint'])).join(', ');
    const bindings: unknown[] = part.flatMap((p) => [p.entityKey, p.from, p.to]);
    const excl = opts.excludeRunIds?.length
      ? `AND f.run_id NOT IN (${opts.excludeRunIds.map(() => '?').join(', ')})`
      : '';
    const keepBefore: string[] = [];
    if (opts.maxRows !== null) keepBefore.push('rn <= ?');
    if (opts.maxDurationMs !== null) keepBefore.push('event_time >= tmin - ?');
    const before = keepBefore.length ? `OR (${keepBefore.join(' OR ')})` : '';
    const sql = `
      WITH req(ek, tmin, tmax) AS (VALUES ${values})
      SELECT ek, event_time, feature_values FROM (
        SELECT ek, tmin, event_time, feature_values,
               ROW_NUMBER() OVER (PARTITION BY ek, CASE WHEN event_time < tmin THEN 0 ELSE 1 END
                                  ORDER BY event_time DESC) AS rn
        FROM (
          SELECT f.entity_key AS ek, req.tmin, f.event_time, f.feature_values,
                 ROW_NUMBER() OVER (PARTITION BY f.entity_key, f.event_time ORDER BY COALESCE(r2.precedence, r2.committed_at) DESC, r2.committed_at DESC, f.id DESC) AS dup
          FROM req
          JOIN ${F} f ON f.entity_key = req.ek AND f.event_time <= req.tmax
          JOIN ${R} r2 ON r2.id = f.run_id
          WHERE f.environment = ? AND f.contract_name = ? AND f.contract_major = ?
            AND r2.committed_at IS NOT NULL AND r2.invalidated_at IS NULL ${excl}
        ) d WHERE dup = 1
      ) t
      WHERE event_time >= tmin ${before}
      ORDER BY ek, event_time`;
    bindings.push(view.environment, view.contract, view.major, ...(opts.excludeRunIds ?? []));
    if (opts.maxRows !== null) bindings.push(opts.maxRows);
    if (opts.maxDurationMs !== null) bindings.push(opts.maxDurationMs);
    const res = await this.db.raw(sql, bindings as Knex.RawBinding[]);
    return this.engine === 'postgres' ? res.rows : res;
  }

  /** Rows a run wrote, in canonical order (for digests and lineage). */
  async forRun(runId: string): Promise<FeatureRowInsert[]> {
    const rows = await this.db(F)
      .where({ run_id: runId })
      .orderBy([{ column: 'entity_key' }, { column: 'event_time' }]);
    return rows.map((r: { entity_key: string; event_time: number | string; feature_values: string }) => ({
      entityKey: r.entity_key,
      eventTime: toMillis(r.event_time)!,
      values: JSON.parse(r.feature_values),
    }));
  }

  /** Runs that wrote rows for one entity of a feature view (for entity lineage). */
  async runIdsForEntity(view: Omit<FeatureView, 'version'>, entityKey: string): Promise<string[]> {
    const rows = await this.db(F)
      .where({
        environment: view.environment,
        contract_name: view.contract,
        contract_major: view.major,
        entity_key: entityKey,
      })
      .distinct('run_id');
    return rows.map((r: { run_id: string }) => r.run_id);
  }

  /** The greatest event time among the rows of a feature view visible now (for freshness); null when none. */
  async newestEventTime(view: Omit<FeatureView, 'version'>): Promise<number | null> {
    const row = await this.db(`${F} as f`)
      .join(`${R} as r2`, 'r2.id', 'f.run_id')
      .where({
        'f.environment': view.environment,
        'f.contract_name': view.contract,
        'f.contract_major': view.major,
      })
      .whereNotNull('r2.committed_at')
      .whereNull('r2.invalidated_at')
      .max({ newest: 'f.event_time' })
      .first();
    return toMillis((row as { newest?: number | string | null } | undefined)?.newest);
  }

  async countForRun(runId: string): Promise<number> {
    const [row] = await this.db(F).where({ run_id: runId }).count<{ n: number }[]>({ n: '*' });
    return Number(row?.n ?? 0);
  }
}

/** The system-time predicate on runs aliased r2. */
function visibility(knownAt: number | undefined): { sql: string; bindings: unknown[] } {
  if (knownAt === undefined)
    return { sql: 'r2.committed_at IS NOT NULL AND r2.invalidated_at IS NULL', bindings: [] };
  return {
    sql: 'r2.committed_at IS NOT NULL AND r2.committed_at <= ? AND (r2.invalidated_at IS NULL OR r2.invalidated_at > ?)',
    bindings: [knownAt, knownAt],
  };
}

function toMatched(r: DbMatch): MatchedRow | null {
  if (r.entity_key === null || r.feature_values === null) return null;
  return {
    entityKey: r.entity_key,
    eventTime: toMillis(r.event_time)!,
    values: JSON.parse(r.feature_values),
    runId: r.run_id!,
    contractVersion: r.contract_version!,
    committedAt: toMillis(r.committed_at)!,
  };
}

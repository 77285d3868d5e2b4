/**
 * The statement behind FeatureRepository.entityRanges: for each requested entity, every
 * visible row of the view that a point-in-time request in [from, to] could match, read
 * in one index range scan, so a bulk join that asks an entity many times reads its rows
 * once instead of probing the index per request.
 *
 * The range starts at the newest visible event time at or before `from` (a backward walk
 * of the (view, entity, event time) index, as the point-in-time probe makes): older rows
 * can match no request. With a TTL it also starts after `from - ttl`. A range holding
 * more than `cap` rows is not read: its result is NULL and the caller probes that
 * entity's requests instead (the cap keeps a long history asked for a few times from
 * costing more than the probes would).
 *
 * An entity's rows come as one flat JSON array, RANGE_STRIDE items a row: event time,
 * rank, committed at, row id, run seq, values (rank is COALESCE(precedence,
 * committed_at); with the commit time and the id, the winner-order.ts keys), in the
 * index's order, one result row per entity: node-sqlite3 builds an object per row and
 * column, so a row per feature row would cost more than the scan, and an array per row
 * left the collector more garbage than the rows it kept.
 */
import { T } from './tables';
import type { Engine } from './dialect';
import { Params } from './sql-params';

const F = T.featureRows;
const R = T.runs;

/** Below every event time: no visible row at or before `from`. */
const NO_ROW = -Number.MAX_SAFE_INTEGER;

/** Items per row in an entity's array. */
export const RANGE_STRIDE = 6;

export interface EntityRange {
  entityKey: string;
  /** Epoch ms: the earliest request time. */
  from: number;
  /** Epoch ms: the latest request time. */
  to: number;
  /** Most rows worth reading for this entity. */
  cap: number;
}

export interface RangeOptions {
  knownAt?: number;
  ttlMs?: number;
  /** Only rows written under this exact contract version. */
  version?: string;
}

/** Runs `r` visible now, or as known at `knownAt`, of the version when one is given. */
function visible(q: Params, r: string, opts: RangeOptions): string {
  const when =
    opts.knownAt === undefined
      ? `${r}.invalidated_at IS NULL`
      : `${r}.committed_at <= ${q.p(opts.knownAt, 'bigint')} AND (${r}.invalidated_at IS NULL OR ${r}.invalidated_at > ${q.p(opts.knownAt, 'bigint')})`;
  const version = opts.version ? `AND ${r}.contract_version = ${q.p(opts.version)}` : '';
  return `${r}.committed_at IS NOT NULL AND ${when} ${version}`;
}

/** The rows `f` (runs `r`) of request `b` in its range. */
function inRange(q: Params, f: string, r: string, view: number, opts: RangeOptions): string {
  const ttl = opts.ttlMs !== undefined ? `AND ${f}.event_time > b.tfrom - ${q.p(opts.ttlMs, 'bigint')}` : '';
  return `${f}.view_id = ${q.p(view)} AND ${f}.entity_key = b.ek
        AND ${f}.event_time >= b.lo AND ${f}.event_time <= b.tto ${ttl}
        AND ${visible(q, r, opts)}`;
}

export function entityRangesStatement(
  engine: Engine,
  view: number,
  part: EntityRange[],
  opts: RangeOptions,
): { sql: string; bindings: unknown[] } {
  const q = new Params(engine);
  const pg = engine === 'postgres';
  const req = pg
    ? `SELECT * FROM unnest(${q.p(
        part.map((r) => r.entityKey),
        'text[]',
      )}, ${q.p(
        part.map((r) => r.from),
        'bigint[]',
      )}, ${q.p(
        part.map((r) => r.to),
        'bigint[]',
      )}, ${q.p(
        part.map((r) => r.cap),
        'bigint[]',
      )}) AS r(ek, tfrom, tto, cap)`
    : `SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]')
        FROM json_each(${q.p(JSON.stringify(part.map((r) => [r.entityKey, r.from, r.to, r.cap])))})`;
  // CROSS JOIN keeps the requests outside on SQLite (see history.sql.ts).
  const lo = `COALESCE((SELECT f3.event_time FROM ${F} f3 CROSS JOIN ${R} r3
          WHERE r3.seq = f3.run_seq AND f3.view_id = ${q.p(view)} AND f3.entity_key = req.ek
            AND f3.event_time <= req.tfrom AND ${visible(q, 'r3', opts)}
          ORDER BY f3.event_time DESC LIMIT 1), ${q.p(NO_ROW, 'bigint')})`;
  // PostgreSQL stops counting at cap + 1; SQLite takes no outer column in a LIMIT, so it
  // counts the range (on the index alone: it holds the run seq).
  const count = `(SELECT count(*) FROM (SELECT 1 FROM ${F} f1 CROSS JOIN ${R} r1
          WHERE r1.seq = f1.run_seq AND ${inRange(q, 'f1', 'r1', view, opts)}
          ${pg ? 'LIMIT b.cap + 1' : ''}) c)`;
  const item = [
    'f.event_time',
    'COALESCE(r.precedence, r.committed_at)',
    'r.committed_at',
    'f.id',
    'f.run_seq',
    'f.feature_values',
  ];
  const found = pg
    ? `(SELECT '[' || COALESCE(string_agg(concat_ws(',', ${item.join(', ')}), ',' ORDER BY f.event_time), '') || ']'
          FROM ${F} f CROSS JOIN ${R} r
          WHERE r.seq = f.run_seq AND ${inRange(q, 'f', 'r', view, opts)})`
    : `(SELECT '[' || COALESCE(group_concat(${item.join(" || ',' || ")}), '') || ']'
          FROM ${F} f CROSS JOIN ${R} r
          WHERE r.seq = f.run_seq AND ${inRange(q, 'f', 'r', view, opts)})`;
  return q.bind(`
      WITH req(ek, tfrom, tto, cap) AS (${req}),
      b AS MATERIALIZED (SELECT ek, tfrom, tto, cap, ${lo} AS lo FROM req)
      SELECT b.ek, CASE WHEN ${count} <= b.cap THEN ${found} END AS found FROM b`);
}

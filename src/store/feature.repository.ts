/**
 * Feature rows: append-only writes and the bitemporal reads. A row is visible at
 * system time K iff its run has committed_at <= K < invalidated_at (K = now when
 * absent); per entity the point-in-time value is the visible row with the greatest
 * event time <= asOf, ties going to the greater precedence (the later committed run
 * unless it is a reprocess), then the later row. Reads are set-based: the requested
 * (entity, time) pairs travel as one bound value per statement (point in time) or a
 * VALUES list (history), and each is matched by an index-ordered walk: a correlated
 * subquery on SQLite, a LATERAL join on PostgreSQL.
 */
import type { Knex } from 'knex';
import { T } from './tables';
import { batchInsert, toMillis, withoutJit, type Engine } from './dialect';
import type { RowSource } from './bulk-plan';
import {
  PIT_CHUNK,
  YIELD_EVERY,
  entityTimeOrder,
  pointInTimeQuery,
  runInfo,
  type DbMatch,
  type RunInfo,
} from './point-in-time.sql';
import { readStatements, type ReadStatements } from './read-statements';
import { HistoryReader } from './history-reader';
import { readTimeline } from './feature-timeline';
import { entityRangesStatement, type EntityRange, type RangeOptions } from './entity-ranges.sql';
import type { HistoryPoint } from '../domain/rows';
import type {
  FeatureRowInsert,
  FeatureView,
  HistoryOptions,
  HistoryRequest,
  MatchedRow,
  PointOptions,
  PointRequest,
  RangeRows,
} from './feature-rows.types';

const F = T.featureRows;
const V = T.featureViews;

export class FeatureRepository {
  /** Prepared point-in-time statements on the driver, outside transactions (read-statements.ts). */
  private reads: ReadStatements | null | undefined = undefined;
  /** feature_views ids by view: once given, a view's id never changes. */
  private readonly viewIds = new Map<string, number>();
  /** The history statements' lanes (history-reader.ts). */
  private readonly histories: HistoryReader;

  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly engine: Engine,
  ) {
    this.histories = new HistoryReader(db, engine);
  }

  /**
   * Closes the read statements' own connection and the history lanes' (history-reader.ts),
   * where opened. For good: a read that comes after (a late health check or gauge) goes
   * to the closed pool and fails, where opening a new connection would touch the
   * database's files behind a closed store.
   */
  async close(): Promise<void> {
    const reads = this.reads;
    this.reads = null;
    await Promise.all([reads?.close(), this.histories.close()]);
  }

  /**
   * `select 1` where the online reads read: on SQLite their own connection, so a health
   * check answers while a run's transaction holds the writer's (one) pooled connection.
   */
  async ping(): Promise<void> {
    const reads = this.reader();
    if (reads) await reads.all('select 1', []);
    else await this.db.raw('select 1');
  }

  /**
   * The read statements (own SQLite connection) for reads beside a busy writer; null in a
   * transaction, whose reads must see its own writes on its connection.
   */
  reader(): ReadStatements | null {
    if (this.reads === undefined)
      this.reads = (this.db as Knex.Transaction).isTransaction ? null : readStatements(this.db, this.engine);
    return this.reads;
  }

  /** Rows of a statement, read beside the writer where reader() gives a connection, else on this one. */
  private async rows<R>(sql: string, bindings: unknown[]): Promise<R[]> {
    const reads = this.reader();
    if (reads) return reads.all<R>(sql, bindings);
    const res = await this.db.raw(sql, bindings as Knex.RawBinding[]);
    return (this.engine === 'postgres' ? res.rows : res) as R[];
  }

  async insertMany(
    runId: string,
    view: Omit<FeatureView, 'version'>,
    rows: RowSource<FeatureRowInsert>,
  ): Promise<void> {
    const runSeq = await this.runSeq(runId);
    const viewId = await this.createView(view);
    await batchInsert(
      this.db,
      this.engine,
      F,
      ['entity_key', 'event_time', 'feature_values'],
      rows,
      (r) => [r.entityKey, r.eventTime, r.valuesJson ?? JSON.stringify(r.values)],
      [
        ['run_seq', runSeq],
        ['view_id', viewId],
      ],
      (r) =>
        r.json ??
        `[${JSON.stringify(r.entityKey)},${r.eventTime},${r.valuesJson ?? JSON.stringify(r.values)}]`,
    );
  }

  /**
   * For each request, the visible row of greatest event time <= at (and > at - ttl
   * when a TTL is given), as known at system time `knownAt`. Result aligned with input.
   */
  async pointInTime(
    view: FeatureView,
    requests: PointRequest[],
    opts: PointOptions = {},
  ): Promise<Array<MatchedRow | null>> {
    const out: Array<MatchedRow | null> = new Array(requests.length).fill(null);
    await this.eachPointInTime(view, requests, opts, (i, m) => (out[i] = m));
    return out;
  }

  /**
   * pointInTime for callers that build something per match: `each(i, match)` is called
   * once per request that has a match (i indexes `requests`), in no particular order,
   * as the matches arrive; requests without one are not called back.
   *
   * The requests travel as ONE bound value per statement (a JSON array on SQLite read
   * by json_each, two arrays on PostgreSQL read by unnest), not three placeholders a
   * row: binding tens of thousands of placeholders through knex's raw formatter and
   * planning a VALUES list as long cost more than the join itself. They are sent in
   * (entity, time) order, so consecutive index walks touch the same pages, in chunks
   * of PIT_CHUNK; the next chunk's query runs while this one's rows are decoded and
   * handed to `each`, which yields to the event loop every few thousand rows so the
   * driver can keep reading.
   */
  async eachPointInTime(
    view: FeatureView,
    requests: PointRequest[],
    opts: PointOptions,
    each: (i: number, m: MatchedRow) => void,
  ): Promise<void> {
    if (requests.length === 0) return;
    const viewId = await this.viewId(view);
    if (viewId === null) return;
    const order = entityTimeOrder(requests);
    const runs = new Map<string, RunInfo>();
    const query = (start: number) =>
      this.matchChunk(
        { viewId, version: view.version },
        requests,
        order.subarray(start, start + PIT_CHUNK),
        opts,
      );
    let pending: Promise<DbMatch[]> | null = query(0);
    for (let start = 0; pending; start += PIT_CHUNK) {
      const rows: DbMatch[] = await pending;
      pending = start + PIT_CHUNK < requests.length ? query(start + PIT_CHUNK) : null;
      // Decoding below can throw; the next chunk's failure must not go unhandled then.
      pending?.catch(() => undefined);
      for (let k = 0; k < rows.length; k++) {
        if (k > 0 && k % YIELD_EVERY === 0 && pending) await new Promise((ok) => setImmediate(ok));
        const r = rows[k]!;
        if (r.run_id === null || r.feature_values === null) continue;
        const i = order[start + Number(r.idx)]!;
        const run = runInfo(runs, r);
        each(i, {
          entityKey: requests[i]!.entityKey,
          eventTime: toMillis(r.event_time)!,
          values: JSON.parse(r.feature_values),
          runId: run.runId,
          contractVersion: run.contractVersion,
          committedAt: run.committedAt,
        });
      }
    }
  }

  /**
   * For each range, the visible rows a point-in-time request of its entity in [from, to]
   * could match, in event-time order (entity-ranges.sql.ts), or null where more than its
   * `cap` rows lie there; an entity the view never saw has none. `each` is called once
   * per range, as each entity's rows are decoded (so they are garbage before the next's).
   */
  async eachEntityRange(
    view: FeatureView,
    ranges: EntityRange[],
    opts: Omit<RangeOptions, 'version'>,
    each: (entityKey: string, rows: RangeRows | null) => void,
  ): Promise<void> {
    const viewId = ranges.length ? await this.viewId(view) : null;
    if (viewId === null) {
      for (const r of ranges) each(r.entityKey, []);
      return;
    }
    const { sql, bindings } = entityRangesStatement(this.engine, viewId, ranges, {
      ...opts,
      version: view.version,
    });
    // Without PostgreSQL's JIT, as the history statement runs (correlated walks estimated costly).
    const rows: Array<{ ek: string; found: string | null }> =
      this.engine === 'postgres'
        ? (await withoutJit(this.db, this.engine, (db) => db.raw(sql, bindings as Knex.RawBinding[]))).rows
        : await this.rows(sql, bindings);
    for (const r of rows) each(r.ek, r.found === null ? null : JSON.parse(r.found));
  }

  /** Runs by their seq (feature rows name their run by it): id, contract version and commit time. */
  async runsBySeq(seqs: number[]): Promise<Map<number, RunInfo>> {
    const out = new Map<number, RunInfo>();
    // In parts: a view written hourly for years has more runs than SQLite takes placeholders.
    for (let start = 0; start < seqs.length; start += 1_000) {
      const part = seqs.slice(start, start + 1_000);
      const sql = `SELECT seq, id, contract_version, committed_at FROM ${T.runs} WHERE seq IN (${part.map(() => '?').join(', ')})`;
      const rows = await this.rows<{
        seq: number | string;
        id: string;
        contract_version: string;
        committed_at: number | string;
      }>(sql, part);
      for (const r of rows)
        out.set(Number(r.seq), {
          runId: r.id,
          contractVersion: r.contract_version,
          committedAt: toMillis(r.committed_at)!,
        });
    }
    return out;
  }

  /** One chunk: `part` holds request indices; a result row's idx is its position in `part`. */
  private async matchChunk(
    view: { viewId: number; version?: string },
    requests: PointRequest[],
    part: Uint32Array,
    opts: PointOptions,
  ): Promise<DbMatch[]> {
    const { sql, bindings } = pointInTimeQuery(this.engine, view, requests, part, opts);
    return this.rows<DbMatch>(sql, bindings);
  }

  /**
   * The visible history the window features need, per entity: every row with event
   * time in [from, to] (late data lands among stored rows), plus, before `from`, the
   * newest `maxRows` rows, every row within `maxDurationMs` and the newest non-null
   * rows of each `lastNonNull` feature (history.sql.ts). One row per event time (the
   * later committed run wins). Ascending event time.
   */
  async history(
    view: FeatureView,
    requests: HistoryRequest[],
    opts: HistoryOptions,
  ): Promise<Map<string, HistoryPoint[]>> {
    const viewId = await this.viewId(view);
    if (viewId === null) return new Map();
    return this.histories.read(viewId, requests, opts);
  }

  /**
   * One entity's visible rows over event time, as the store knew them at `knownAt`
   * (default now), the newest `limit` event times, ascending (feature-timeline.ts).
   */
  async timeline(
    view: FeatureView,
    entityKey: string,
    opts: { knownAt?: number; limit: number },
  ): Promise<MatchedRow[]> {
    const viewId = await this.viewId(view);
    if (viewId === null) return [];
    return readTimeline(this.db, { viewId, version: view.version }, entityKey, opts);
  }

  /** Rows a run wrote, in canonical order (for digests and lineage). */
  async forRun(runId: string): Promise<FeatureRowInsert[]> {
    const rows = await this.db(F)
      .where({ run_seq: this.runSeqOf(runId) })
      .orderBy([{ column: 'entity_key' }, { column: 'event_time' }]);
    return rows.map((r: { entity_key: string; event_time: number | string; feature_values: string }) => ({
      entityKey: r.entity_key,
      eventTime: toMillis(r.event_time)!,
      values: JSON.parse(r.feature_values),
    }));
  }

  /** Runs that wrote rows for one entity of a feature view (for entity lineage). */
  async runIdsForEntity(view: Omit<FeatureView, 'version'>, entityKey: string): Promise<string[]> {
    const viewId = await this.viewId(view);
    if (viewId === null) return [];
    const rows = await this.db(T.runs)
      .whereIn('seq', this.db(F).where({ view_id: viewId, entity_key: entityKey }).distinct('run_seq'))
      .select('id');
    return rows.map((r: { id: string }) => r.id);
  }

  async countForRun(runId: string): Promise<number> {
    const [row] = await this.db(F)
      .where({ run_seq: this.runSeqOf(runId) })
      .count<{ n: number }[]>({ n: '*' });
    return Number(row?.n ?? 0);
  }

  /** The run's number, which feature rows carry instead of its id (a subquery). */
  private runSeqOf(runId: string): Knex.QueryBuilder {
    return this.db(T.runs).where({ id: runId }).first('seq');
  }

  private async runSeq(runId: string): Promise<number> {
    const row: { seq: number | string | null } | undefined = await this.runSeqOf(runId);
    if (row?.seq === undefined || row.seq === null)
      throw new Error(`feature rows for run ${runId}: no such run`);
    return Number(row.seq);
  }

  /** The view's id, or null when no row was ever written to it. */
  private async viewId(view: Omit<FeatureView, 'version'>): Promise<number | null> {
    const key = viewKey(view);
    const known = this.viewIds.get(key);
    if (known !== undefined) return known;
    const sql = `SELECT id FROM ${V} WHERE environment = ? AND contract_name = ? AND contract_major = ?`;
    const bindings = [view.environment, view.contract, view.major];
    const rows = await this.rows<{ id: number | string }>(sql, bindings);
    if (rows.length === 0) return null;
    const id = Number(rows[0]!.id);
    this.viewIds.set(key, id);
    return id;
  }

  /** The view's id, given now if it has none (by the writing transaction, so it goes with its rows). */
  private async createView(view: Omit<FeatureView, 'version'>): Promise<number> {
    const known = await this.viewId(view);
    if (known !== null) return known;
    const row = { environment: view.environment, contract_name: view.contract, contract_major: view.major };
    await this.db(V).insert(row).onConflict(['environment', 'contract_name', 'contract_major']).ignore();
    const id = await this.viewId(view);
    if (id === null) throw new Error(`feature view ${viewKey(view)} was not created`);
    return id;
  }
}

const viewKey = (view: Omit<FeatureView, 'version'>) => `${view.environment}/${view.contract}/v${view.major}`;

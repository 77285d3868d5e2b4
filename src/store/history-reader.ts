/**
 * Runs FeatureRepository.history's statements (history.sql.ts): the requests in entity
 * order, cut into chunks, and the chunks over two lanes at once where the store allows.
 *
 * The statement's cost is per entity (two short index walks and the row's JSON, about
 * 10 µs each on SQLite), and node-sqlite3 runs a statement on a thread of its own while
 * JavaScript waits. Two lanes keep both cores busy: on SQLite two read connections of
 * their own (WAL lets them read beside the writer, and a read never queues behind another
 * run's transaction on the writer's one pooled connection), on PostgreSQL two pooled
 * connections; while one lane's statement runs, the other's rows are kept
 * (history-keep.ts). The daily case's 10,000 entities: 146–178 ms in one lane of 5,000-
 * entity chunks, 101–110 ms in two of 2,500 (docs/benchmarks.md, case 6).
 *
 * In a transaction, or on an in-memory SQLite store, there is one connection: one lane.
 * Every statement reads what was committed when it started, as the single lane's chunks
 * did; the runs of one view are serialised by its lease, so no chunk sees a half-landed
 * run of the view it reads.
 */
import type { Knex } from 'knex';
import { withoutJit, type Engine } from './dialect';
import { historyStatement } from './history.sql';
import { keepHistory, type HistoryRow } from './history-keep';
import { readStatements, type ReadStatements } from './read-statements';
import type { HistoryOptions, HistoryRequest } from './feature-rows.types';
import type { HistoryPoint } from '../domain/rows';

/**
 * Entities per statement: at most this many (it bounds the rows one statement returns,
 * and its time under PostgreSQL's query timeout), at least MIN_CHUNK (below that a
 * statement's fixed cost shows), else two chunks per lane, so one lane's rows are kept
 * while the other's statement runs.
 */
const MAX_CHUNK = 5_000;
const MIN_CHUNK = 500;
/** SQLite's default page cache (2 MiB): the history walks found no gain in a larger one. */
const HISTORY_CACHE_KIB = 2_000;

/** Entities per statement for `entities` requests over `lanes` lanes. */
export function historyChunkSize(entities: number, lanes: number): number {
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.ceil(entities / (2 * lanes))));
}

type Lane = (sql: string, bindings: unknown[]) => Promise<HistoryRow[]>;

export class HistoryReader {
  /** The SQLite lanes' own connections, opened on first use; null where there are none. */
  private side: ReadStatements[] | null | undefined = undefined;

  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly engine: Engine,
  ) {}

  async read(
    view: number,
    requests: HistoryRequest[],
    opts: HistoryOptions,
  ): Promise<Map<string, HistoryPoint[]>> {
    // In key order, consecutive walks touch neighbouring pages: of the index, and of the
    // table, where a day's rows of neighbouring entities were written side by side.
    const sorted = [...requests].sort((a, b) =>
      a.entityKey < b.entityKey ? -1 : a.entityKey > b.entityKey ? 1 : 0,
    );
    const lanes = this.lanes();
    const size = historyChunkSize(sorted.length, lanes.length);
    const chunks: HistoryRequest[][] = [];
    for (let start = 0; start < sorted.length; start += size) chunks.push(sorted.slice(start, start + size));
    const out = new Map<string, HistoryPoint[]>();
    let next = 0;
    let failed = false;
    await Promise.all(
      lanes.map(async (lane) => {
        try {
          while (!failed && next < chunks.length) {
            const { sql, bindings } = historyStatement(this.engine, view, chunks[next++]!, opts);
            keepHistory(await lane(sql, bindings), opts, out);
          }
        } catch (err) {
          failed = true; // the other lane stops after its statement: the read has failed
          throw err;
        }
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    const side = this.side;
    this.side = null;
    await Promise.all((side ?? []).map((s) => s.close()));
  }

  private lanes(): Lane[] {
    const inTx = (this.db as Knex.Transaction).isTransaction === true;
    if (this.engine === 'postgres') {
      // Without PostgreSQL's JIT: it compiled the correlated walks, estimated costly, for
      // longer than they run. Each lane is a pooled connection of its own.
      const lane: Lane = async (sql, bindings) =>
        (await withoutJit(this.db, this.engine, (db) => db.raw(sql, bindings as Knex.RawBinding[]))).rows;
      return inTx ? [lane] : [lane, lane];
    }
    if (this.side === undefined) {
      const open = () =>
        inTx ? null : readStatements(this.db, this.engine, { cacheKiB: HISTORY_CACHE_KIB });
      const first = open();
      this.side = first ? [first, open()!] : null;
    }
    if (!this.side) return [(sql, bindings) => this.db.raw(sql, bindings as Knex.RawBinding[])];
    return this.side.map((s) => (sql, bindings) => s.all<HistoryRow>(sql, bindings));
  }
}

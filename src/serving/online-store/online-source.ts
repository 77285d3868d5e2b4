/**
 * The SQL side of the online store: the run events to apply, the entities a run wrote
 * or a view holds (in pages), and the newest visible row of each of a page of entities
 * (the point-in-time statement at the end of time: one set-based statement a page).
 * Reads go where the online reads go (on SQLite their own connection), so a long run
 * commit on the writer's connection does not hold the sync up.
 */
import type { Store } from '../../store/store';
import { T } from '../../store/tables';
import { toMillis } from '../../store/dialect';
import { pointInTimeQuery, type DbMatch } from '../../store/point-in-time.sql';
import type { FeatureView, PointRequest } from '../../store/feature-rows.types';
import { RUN_EVENTS_TABLE, type RunEvent, type RunEventLog } from '../../store/run-event-log';
import type { StoredRow } from './keys';

/** Entities per recompute statement and per Redis write. */
export const PAGE = 2_000;
/** Far beyond any event time: "the newest row", whatever its event time. */
const END_OF_TIME = Number.MAX_SAFE_INTEGER;

export interface ViewRef {
  id: number;
  view: Omit<FeatureView, 'version'>;
}

export class OnlineSource {
  readonly log: RunEventLog;

  constructor(private readonly store: Store) {
    this.log = store.runEvents;
  }

  private rows<R>(sql: string, bindings: unknown[]): Promise<R[]> {
    return this.store.readRows<R>(sql, bindings);
  }

  latestCursor(): Promise<number> {
    return this.log.latestCursor();
  }

  /** The oldest event still in the log (0 when empty): events before it may have been pruned. */
  async earliestCursor(): Promise<number> {
    const [row] = await this.rows<{ c: number | string | null }>(
      `SELECT min(id) AS c FROM ${RUN_EVENTS_TABLE}`,
      [],
    );
    return Number(row?.c ?? 0);
  }

  events(after: number, limit: number): Promise<RunEvent[]> {
    return this.log.after(after, limit);
  }

  async views(): Promise<ViewRef[]> {
    const rows = await this.rows<{
      id: number | string;
      environment: string;
      contract_name: string;
      contract_major: number | string;
    }>(`SELECT id, environment, contract_name, contract_major FROM ${T.featureViews} ORDER BY id`, []);
    return rows.map((r) => ({
      id: Number(r.id),
      view: {
        environment: r.environment as FeatureView['environment'],
        contract: r.contract_name,
        major: Number(r.contract_major),
      },
    }));
  }

  async viewId(view: Omit<FeatureView, 'version'>): Promise<number | null> {
    const [row] = await this.rows<{ id: number | string }>(
      `SELECT id FROM ${T.featureViews} WHERE environment = ? AND contract_name = ? AND contract_major = ?`,
      [view.environment, view.contract, view.major],
    );
    return row ? Number(row.id) : null;
  }

  /** The distinct entity keys a run wrote, a page at a time (walked by row id on the run's index). */
  async eachRunEntityPage(runId: string, each: (keys: string[]) => Promise<void>): Promise<void> {
    const sql = `SELECT f.id, f.entity_key FROM ${T.featureRows} f
      WHERE f.run_seq = (SELECT seq FROM ${T.runs} WHERE id = ?) AND f.id > ? ORDER BY f.id LIMIT ?`;
    for (let after = 0; ;) {
      const rows = await this.rows<{ id: number | string; entity_key: string }>(sql, [runId, after, PAGE]);
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1]!.id);
      await each([...new Set(rows.map((r) => r.entity_key))]);
      if (rows.length < PAGE) return;
    }
  }

  /** Every entity key of a view, a page at a time, in key order (the point-in-time index). */
  async eachViewEntityPage(viewId: number, each: (keys: string[]) => Promise<void>): Promise<void> {
    const sql = `SELECT DISTINCT entity_key FROM ${T.featureRows}
      WHERE view_id = ? AND entity_key > ? ORDER BY entity_key LIMIT ?`;
    for (let after = ''; ;) {
      const rows = await this.rows<{ entity_key: string }>(sql, [viewId, after, PAGE]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.entity_key;
      await each(rows.map((r) => r.entity_key));
      if (rows.length < PAGE) return;
    }
  }

  /** Each key's newest visible row now (null: none), aligned with `keys`. */
  async newest(viewId: number, keys: string[]): Promise<Array<StoredRow | null>> {
    const requests: PointRequest[] = keys.map((entityKey) => ({ entityKey, at: END_OF_TIME }));
    const part = Uint32Array.from(keys, (_, i) => i);
    const { sql, bindings } = pointInTimeQuery(this.store.engine, { viewId }, requests, part, {});
    const out: Array<StoredRow | null> = new Array(keys.length).fill(null);
    for (const r of await this.rows<DbMatch>(sql, bindings)) {
      if (r.run_id === null || r.feature_values === null) continue;
      out[Number(r.idx)] = {
        eventTime: toMillis(r.event_time)!,
        runId: r.run_id,
        contractVersion: r.contract_version!,
        committedAt: toMillis(r.committed_at)!,
        valuesJson: r.feature_values,
      };
    }
    return out;
  }
}

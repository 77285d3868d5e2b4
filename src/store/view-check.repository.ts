/**
 * The store's side of the view-scope expectations: a ViewReader over one view as the
 * running run's commit will leave it, on the connection it is given (the commit
 * transaction's, so it sees the run's own uncommitted rows).
 */
import type { Knex } from 'knex';
import type { Engine } from './dialect';
import { toCount, toMillis } from './dialect';
import type { ViewReader } from '../domain/view-reader';
import {
  duplicatesQuery,
  gapCountsQuery,
  gapSampleQuery,
  newestQuery,
  resolveQuery,
  rowCountQuery,
  type Statement,
  type ViewScope,
} from './view-checks.sql';

export type { ViewScope };

export class ViewCheckRepository {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly engine: Engine,
  ) {}

  /**
   * A reader of the view; its row count is read once however many checks ask. On
   * PostgreSQL the view's id and visible runs are read first (ViewScope.resolved).
   */
  reader(given: ViewScope): ViewReader {
    let rowCount: Promise<number> | undefined;
    let resolved: Promise<ViewScope> | undefined;
    const scopeOf = () => (resolved ??= this.resolve(given));
    const q = <T>(f: (s: ViewScope) => Promise<T>) => scopeOf().then(f);
    const reader: ViewReader = {
      rowCount: () => (rowCount ??= q((scope) => this.one(rowCountQuery(scope))).then((r) => toCount(r?.n))),
      duplicates: (limit) =>
        q(async (scope) => {
          const rows = await this.all(duplicatesQuery(scope, limit));
          return {
            groups: toCount(rows[0]?.groups_total),
            extraRows: toCount(rows[0]?.extra_rows),
            sample: rows.map((r) => ({
              entityKey: String(r.entity_key),
              eventTime: toMillis(r.event_time)!,
              rows: toCount(r.n),
            })),
          };
        }),
      gaps: (intervalMs, limit) =>
        q(async (scope) => {
          const r = await this.one(gapCountsQuery(scope, intervalMs));
          const counts = {
            entities: toCount(r?.entities),
            gaps: toCount(r?.gaps),
            entitiesWithGaps: toCount(r?.entities_with_gaps),
            missing: toCount(r?.missing),
          };
          if (counts.gaps === 0) return { counts, sample: [] };
          const rows = await this.all(gapSampleQuery(scope, intervalMs, limit));
          const sample = rows.map((g) => ({
            entityKey: String(g.entity_key),
            from: toMillis(g.prev)!,
            to: toMillis(g.event_time)!,
          }));
          return { counts, sample };
        }),
      newestEventTime: async () => {
        const scope = given;
        const stored = toMillis((await this.one(newestQuery(scope)))?.newest);
        const own = scope.ownNewest;
        return stored === null ? own : own === null ? stored : Math.max(stored, own);
      },
    };
    return reader;
  }

  /** The scope with its view id and visible runs bound as values, on PostgreSQL (see ViewScope.resolved). */
  async resolve(scope: ViewScope): Promise<ViewScope> {
    if (this.engine !== 'postgres' || scope.resolved) return scope;
    const rows = await this.all(resolveQuery(scope));
    const viewId = rows.length === 0 ? -1 : Number(rows[0]!.view_id ?? -1);
    return { ...scope, resolved: { viewId, runSeqs: rows.map((r) => Number(r.seq)) } };
  }

  private async all(s: Statement): Promise<Array<Record<string, unknown>>> {
    const res = await this.db.raw(s.sql, s.bindings as Knex.RawBinding[]);
    return this.engine === 'postgres' ? res.rows : res;
  }

  private async one(s: Statement): Promise<Record<string, unknown> | undefined> {
    return (await this.all(s))[0];
  }
}

/**
 * The store's side of the view-scope expectations: a ViewReader over one view as the
 * running run's commit will leave it, on the connection it is given (the commit
 * transaction's, so it sees the run's own uncommitted rows).
 *
 * Each check records what it found (store/view-check-state.ts). When the view's visible
 * runs are still those of that record and it found the view clean, the next run reads
 * only its own rows and their neighbours (store/view-checks-delta.sql.ts); otherwise the
 * whole view (store/view-checks.sql.ts). Both give the same answer.
 */
import type { Knex } from 'knex';
import type { Engine } from './dialect';
import { toCount, toMillis } from './dialect';
import type { DuplicateKey, Gap, GapCounts, ViewReader } from '../domain/view-reader';
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
import {
  ownDuplicatesQuery,
  ownGapCountsQuery,
  ownGapSampleQuery,
  ownRowCountQuery,
  type DeltaScope,
} from './view-checks-delta.sql';
import { runSets, ViewCheckStateStore, type CheckState, type RunSets } from './view-check-state';

export type { ViewScope };

type Duplicates = Awaited<ReturnType<ViewReader['duplicates']>>;
type Gaps = Awaited<ReturnType<ViewReader['gaps']>>;

interface Resolved {
  scope: ViewScope;
  sets: RunSets | null;
  /** The view's committed runs that are not visible (see resolveQuery). */
  hiddenSeqs: number[];
}

/** One check's two ways: over the run's rows given a clean record, or over the whole view. */
interface CheckWays<R> {
  key: string;
  /** The delta adds to the recorded tally, so a record without one cannot serve. */
  tallied: boolean;
  delta(d: DeltaScope, prior: CheckState): Promise<R>;
  full(scope: ViewScope): Promise<R>;
  stateOf(result: R): CheckState;
}

export class ViewCheckRepository {
  private readonly state: ViewCheckStateStore;

  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly engine: Engine,
  ) {
    this.state = new ViewCheckStateStore(db);
  }

  /**
   * A reader of the view. The view's id and visible runs are read first (one small
   * statement). Each check is answered once however often it is asked: the row count
   * serves several expectations, and two expectations with the same check (and sample
   * size) share one answer, where a second reading would no longer match the record the
   * first one wrote and read the whole view.
   */
  reader(given: ViewScope): ViewReader {
    let resolved: Promise<Resolved> | undefined;
    const answers = new Map<string, Promise<unknown>>();
    const run = <R>(ways: CheckWays<R>, limit = 0): Promise<R> => {
      const key = `${ways.key}|${limit}`;
      if (!answers.has(key))
        answers.set(
          key,
          (resolved ??= this.resolveAll(given)).then((r) => this.check(given, r, ways)),
        );
      return answers.get(key) as Promise<R>;
    };
    const reader: ViewReader = {
      rowCount: () =>
        run({
          key: 'row_count',
          tallied: true,
          delta: async (d, prior) => prior.tally! + toCount((await this.one(ownRowCountQuery(d)))?.n),
          full: async (scope) => toCount((await this.one(rowCountQuery(scope)))?.n),
          stateOf: (n) => ({ clean: true, tally: n }),
        }),
      duplicates: (limit) =>
        run<Duplicates>(
          {
            key: 'compound_unique',
            tallied: false,
            delta: (d) => this.duplicates(ownDuplicatesQuery(d, limit)),
            full: (scope) => this.duplicates(duplicatesQuery(scope, limit)),
            stateOf: (r) => ({ clean: r.groups === 0, tally: null }),
          },
          limit,
        ),
      gaps: (intervalMs, limit) =>
        run<Gaps>(
          {
            key: `no_gaps:${intervalMs}`,
            tallied: true,
            delta: async (d, prior) => {
              const r = await this.one(ownGapCountsQuery(d, intervalMs));
              const counts = { ...gapCounts(r), entities: prior.tally! + toCount(r?.new_entities) };
              return {
                counts,
                sample: await this.gapSample(counts, ownGapSampleQuery(d, intervalMs, limit)),
              };
            },
            full: async (scope) => {
              const counts = gapCounts(await this.one(gapCountsQuery(scope, intervalMs)));
              return {
                counts,
                sample: await this.gapSample(counts, gapSampleQuery(scope, intervalMs, limit)),
              };
            },
            stateOf: (r) => ({ clean: r.counts.gaps === 0, tally: r.counts.entities }),
          },
          limit,
        ),
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
    return (await this.resolveAll(scope)).scope;
  }

  private async resolveAll(scope: ViewScope): Promise<Resolved> {
    const rows = await this.all(resolveQuery(scope));
    const viewId = rows.length === 0 || rows[0]!.view_id == null ? -1 : Number(rows[0]!.view_id);
    const visible = rows.filter((r) => Number(r.visible) === 1);
    const seqs = visible.map((r) => Number(r.seq));
    const hiddenSeqs = rows.filter((r) => Number(r.visible) !== 1).map((r) => Number(r.seq));
    const own = visible.find((r) => r.id === scope.runId);
    const sets = viewId >= 0 && own ? runSets(viewId, Number(own.seq), seqs) : null;
    const pg = this.engine === 'postgres' && !scope.resolved;
    return { scope: pg ? { ...scope, resolved: { viewId, runSeqs: seqs } } : scope, sets, hiddenSeqs };
  }

  /**
   * One check: from its record when the view is as the record left it and was clean (a
   * reprocess removes rows, which can open gaps anywhere: it reads the whole view), then
   * a new record for the view as this run leaves it.
   */
  private async check<R>(given: ViewScope, r: Resolved, ways: CheckWays<R>): Promise<R> {
    if (!r.sets) return ways.full(r.scope);
    const prior = given.replaces === null ? await this.state.read(r.sets, ways.key) : null;
    const result =
      prior?.clean && (!ways.tallied || prior.tally !== null)
        ? await ways.delta(
            { engine: this.engine, viewId: r.sets.viewId, ownSeq: r.sets.ownSeq, hiddenSeqs: r.hiddenSeqs },
            prior,
          )
        : await ways.full(r.scope);
    await this.state.write(r.sets, ways.key, ways.stateOf(result), given.runId);
    return result;
  }

  private async duplicates(s: Statement): Promise<Duplicates> {
    const rows = await this.all(s);
    return {
      groups: toCount(rows[0]?.groups_total),
      extraRows: toCount(rows[0]?.extra_rows),
      sample: rows.map((r): DuplicateKey => ({
        entityKey: String(r.entity_key),
        eventTime: toMillis(r.event_time)!,
        rows: toCount(r.n),
      })),
    };
  }

  private async gapSample(counts: GapCounts, s: Statement): Promise<Gap[]> {
    if (counts.gaps === 0) return [];
    return (await this.all(s)).map((g) => ({
      entityKey: String(g.entity_key),
      from: toMillis(g.prev)!,
      to: toMillis(g.event_time)!,
    }));
  }

  private async all(s: Statement): Promise<Array<Record<string, unknown>>> {
    const res = await this.db.raw(s.sql, s.bindings as Knex.RawBinding[]);
    return this.engine === 'postgres' ? res.rows : res;
  }

  private async one(s: Statement): Promise<Record<string, unknown> | undefined> {
    return (await this.all(s))[0];
  }
}

function gapCounts(r: Record<string, unknown> | undefined): GapCounts {
  return {
    entities: toCount(r?.entities),
    gaps: toCount(r?.gaps),
    entitiesWithGaps: toCount(r?.entities_with_gaps),
    missing: toCount(r?.missing),
  };
}

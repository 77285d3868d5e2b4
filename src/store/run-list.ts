/**
 * The runs list (`runs(...)` in GraphQL, the console's Runs page): filtered, newest first,
 * in keyset pages on (queued_at, id). The order is the `runs_queued_at_id` index's
 * (migration 20261207100001), so a page reads its rows and stops: without it every page
 * sorted the whole table (10,000 runs: 44–77 ms for the first page on SQLite, growing
 * with every run). A page after a cursor seeks to it with one row-value comparison.
 */
import type { Knex } from 'knex';
import { T } from './tables';
import { toCount } from './dialect';
import { toRun, type DbRunRow } from './run.row';
import type { Run, RunStatus, RunTrigger } from '../domain/run';
import type { Environment } from '../domain/environment';

export interface RunFilter {
  contract?: string;
  contractVersion?: string;
  status?: RunStatus;
  environment?: Environment;
  trigger?: RunTrigger;
  parentRunId?: string;
  from?: number;
  to?: number;
  /** true: runs that rejected rows; false: runs that rejected none. */
  hasRejects?: boolean;
  /** true: succeeded runs with a warn expectation that did not hold; false: all but those. */
  succeededWithWarnings?: boolean;
}

export interface RunPage {
  runs: Run[];
  totalCount: number;
  hasNextPage: boolean;
}

/** Where the previous page ended: its last run's queue time and id. */
export interface RunCursor {
  queuedAt: number;
  id: string;
}

function filtered(db: Knex | Knex.Transaction, f: RunFilter): Knex.QueryBuilder {
  const q = db(T.runs);
  if (f.contract) q.where('contract_name', f.contract);
  if (f.contractVersion) q.where('contract_version', f.contractVersion);
  if (f.status) q.where('status', f.status);
  if (f.environment) q.where('environment', f.environment);
  if (f.trigger) q.where('trigger', f.trigger);
  if (f.parentRunId) q.where('parent_run_id', f.parentRunId);
  if (f.from !== undefined) q.where('queued_at', '>=', f.from);
  if (f.to !== undefined) q.where('queued_at', '<', f.to);
  if (f.hasRejects === true) q.where('rows_rejected', '>', 0);
  if (f.hasRejects === false) q.where('rows_rejected', 0);
  if (f.succeededWithWarnings === true) q.where('status', 'succeeded').where('warnings', '>', 0);
  if (f.succeededWithWarnings === false)
    q.where((w) => w.whereNot('status', 'succeeded').orWhere('warnings', 0));
  return q;
}

/** The statement of one page: `first + 1` rows, so the caller knows whether more follow. */
export function runPageQuery(
  db: Knex | Knex.Transaction,
  filter: RunFilter,
  first: number,
  after?: RunCursor,
): Knex.QueryBuilder {
  const q = filtered(db, filter).orderBy([
    { column: 'queued_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  // As one row value, which both engines seek in the index; an OR of the two cases is not.
  if (after) q.whereRaw('(queued_at, id) < (?, ?)', [after.queuedAt, after.id]);
  return q.limit(first + 1);
}

export async function listRuns(
  db: Knex | Knex.Transaction,
  filter: RunFilter,
  first: number,
  after?: RunCursor,
): Promise<RunPage> {
  const total = await filtered(db, filter).count<{ n: number }[]>({ n: '*' });
  const rows = (await runPageQuery(db, filter, first, after)) as DbRunRow[];
  return {
    runs: rows.slice(0, first).map(toRun),
    totalCount: toCount(total[0]?.n),
    hasNextPage: rows.length > first,
  };
}

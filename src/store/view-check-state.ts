/**
 * What a view-scope check found last time, and over which visible runs, so the next run
 * can check only what its own rows change (store/view-checks-delta.sql.ts).
 *
 * The visible runs are named by a digest of their numbers. A committed run's rows never
 * change, so the same visible runs mean the same visible rows: a state whose digest is
 * the view's visible runs before this run is exact for them. Anything that changes the
 * view otherwise (a rollback, a reprocess that supersedes a run, a commit whose checks
 * did not record a state, two commits racing) changes the visible runs, so the digest
 * misses and the check reads the whole view, then records a fresh state.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { toCount } from './dialect';
import { T } from './tables';

export interface CheckState {
  clean: boolean;
  /** The row count, or the entities with a visible row (no_gaps); null for compound_unique. */
  tally: number | null;
}

/** The view's runs as the check sees them: before this run (to read a state) and after (to write one). */
export interface RunSets {
  viewId: number;
  ownSeq: number;
  before: string;
  after: string;
}

export function digestOf(seqs: readonly number[]): string {
  const sorted = [...seqs].sort((a, b) => a - b);
  return createHash('sha256').update(sorted.join(',')).digest('hex');
}

/** From the runs visible once this run commits, this run among them. */
export function runSets(viewId: number, ownSeq: number, visibleSeqs: number[]): RunSets {
  return {
    viewId,
    ownSeq,
    before: digestOf(visibleSeqs.filter((s) => s !== ownSeq)),
    after: digestOf(visibleSeqs),
  };
}

export class ViewCheckStateStore {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /** The state recorded for exactly the view's runs before this one, or null. */
  async read(sets: RunSets, check: string): Promise<CheckState | null> {
    const row = await this.db(T.viewCheckState)
      .where({ view_id: sets.viewId, check_key: check })
      .first('runs_digest', 'clean', 'tally');
    if (!row || row.runs_digest !== sets.before) return null;
    return { clean: Boolean(row.clean), tally: row.tally === null ? null : toCount(row.tally) };
  }

  /** Records what the check found over the runs visible once this run commits. */
  async write(sets: RunSets, check: string, state: CheckState, runId: string): Promise<void> {
    await this.db(T.viewCheckState)
      .insert({
        view_id: sets.viewId,
        check_key: check,
        runs_digest: sets.after,
        clean: state.clean,
        tally: state.tally,
        checked_by_run: runId,
      })
      .onConflict(['view_id', 'check_key'])
      .merge(['runs_digest', 'clean', 'tally', 'checked_by_run']);
  }
}

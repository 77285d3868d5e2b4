/**
 * view_check_state: what the last view-scope check of a feature view found, and over
 * which visible runs (a digest of their numbers). A later run whose view still has
 * exactly those runs visible checks only what its own rows change (store/view-check-state.ts):
 * the row count adds its rows, and a view that was free of duplicates or gaps can only
 * gain them where this run's rows fall. Written in the commit transaction, so a run
 * rolled back by its checks leaves no state; a rollback or reprocess later changes the
 * visible runs, so the digest no longer matches and the next check reads the whole view.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(T.viewCheckState, (t) => {
    t.integer('view_id').notNullable();
    // 'row_count', 'compound_unique', or 'no_gaps:<interval in ms>'.
    t.string('check_key', 64).notNullable();
    t.string('runs_digest', 64).notNullable();
    // No duplicate or gap anywhere in the view (always true for the row count).
    t.boolean('clean').notNullable();
    // The row count, or the entities with a visible row (no_gaps); null for compound_unique.
    t.bigInteger('tally');
    t.string('checked_by_run').notNullable();
    t.primary(['view_id', 'check_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(T.viewCheckState);
}

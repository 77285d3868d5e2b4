/**
 * runs.rejects_stored: how many rejected rows the store holds for the run, written in
 * the same transaction as those rows. The Run page asks for the total with every page
 * of rejects; counting a run's million rejects each time took 0.5–1 s on SQLite. It is
 * not runs.rows_rejected: a failed run on a full disk is recorded without its rejects.
 * Runs recorded before this migration keep NULL and are counted as before.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE ?? ADD COLUMN rejects_stored integer', [T.runs]);
}

export async function down(knex: Knex): Promise<void> {
  // A plain DROP COLUMN on both engines: knex's dropColumn rebuilds a SQLite table,
  // which would lose the trigger that numbers runs (runs_seq_on_insert).
  await knex.raw('ALTER TABLE ?? DROP COLUMN rejects_stored', [T.runs]);
}

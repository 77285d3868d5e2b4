/**
 * runs.stages: the run's stage timings as JSON (read, history, validate, transform and
 * write, profiles, rejects, lineage, view checks), written with the run's end state. The
 * Run page shows where a run's time went; runs recorded before this migration keep NULL.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE ?? ADD COLUMN stages text', [T.runs]);
}

export async function down(knex: Knex): Promise<void> {
  // A plain DROP COLUMN on both engines: knex's dropColumn rebuilds a SQLite table,
  // which would lose the trigger that numbers runs (runs_seq_on_insert).
  await knex.raw('ALTER TABLE ?? DROP COLUMN stages', [T.runs]);
}

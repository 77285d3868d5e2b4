/**
 * Precedence decides between rows of two runs with the same entity and event time.
 * It is the commit time for ordinary runs; a reprocess or backfill inherits the
 * precedence of the run it supersedes, so re-running an old run never lets its
 * values override a later correction.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.bigInteger('precedence');
  });
  await knex(T.runs)
    .whereNotNull('committed_at')
    .update({ precedence: knex.ref('committed_at') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.dropColumn('precedence');
  });
}

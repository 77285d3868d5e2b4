/**
 * The newest event time among each run's feature rows, recorded when the run commits.
 * Freshness (the newest visible event of a feature view, read at every metrics scrape
 * and every minute) then reads one value per visible run instead of scanning every
 * feature row of the view. Runs committed before this migration are filled in from
 * their rows (one walk of the run_id index).
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.bigInteger('newest_event_time');
  });
  await knex(T.runs)
    .whereNotNull('committed_at')
    .update({
      newest_event_time: knex(T.featureRows)
        .max('event_time')
        .where('run_id', knex.ref(`${T.runs}.id`)),
    });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.dropColumn('newest_event_time');
  });
}

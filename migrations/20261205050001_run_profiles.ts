/**
 * run_profiles: the profile of each column and feature over the rows a run stored
 * (quality/profile/profile.ts), written in the run's commit transaction, so a failed or
 * rolled-back run has none and never serves as a drift baseline. The profile (with its
 * sketches, a few kB) is JSON text on both engines.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(T.runProfiles, (t) => {
    t.string('run_id', 40).notNullable().references('id').inTable(T.runs);
    t.string('kind', 8).notNullable(); // column | feature
    t.string('name', 200).notNullable();
    t.text('profile').notNullable();
    t.primary(['run_id', 'kind', 'name']);
    // Baselines and histories look a name up across runs.
    t.index(['kind', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(T.runProfiles);
}

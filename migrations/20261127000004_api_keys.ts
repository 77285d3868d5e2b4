/** API keys: stored as a sha256 of their secret, shown once, revocable. */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(T.apiKeys, (t) => {
    t.string('id', 32).primary();
    t.string('owner', 200).notNullable();
    t.string('role', 16).notNullable();
    t.string('secret_sha256', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('created_by', 200).notNullable();
    t.bigInteger('revoked_at');
    t.bigInteger('last_used_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists(T.apiKeys);
}

/** Runs the migrations in `migrations/` through knex's migrator with a static source. */
import type { Knex } from 'knex';
import { migrations, type Migration } from '../../migrations/index';

class StaticSource implements Knex.MigrationSource<Migration> {
  async getMigrations(): Promise<Migration[]> {
    return migrations;
  }
  getMigrationName(m: Migration): string {
    return m.name;
  }
  async getMigration(m: Migration): Promise<Knex.Migration> {
    return m;
  }
}

const config = (): Knex.MigratorConfig => ({
  migrationSource: new StaticSource(),
  tableName: 'knex_migrations',
});

/** Brings the schema to the latest version; returns the names applied now. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(config())) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback(config(), true);
}

export async function migrationStatus(knex: Knex): Promise<{ applied: string[]; pending: string[] }> {
  const [applied, pending] = (await knex.migrate.list(config())) as [Array<{ name: string }>, Migration[]];
  return { applied: applied.map((a) => a.name), pending: pending.map((p) => p.name) };
}

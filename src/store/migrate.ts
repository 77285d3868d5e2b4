/** Runs the migrations in `migrations/` through knex's migrator with a static source. */
import type { Knex } from 'knex';
import { migrations, type Migration } from '../../migrations';

class StaticSource implements Knex.MigrationSource<Migration> {
  constructor(private readonly list: Migration[] = migrations) {}
  async getMigrations(): Promise<Migration[]> {
    return this.list;
  }
  getMigrationName(m: Migration): string {
    return m.name;
  }
  async getMigration(m: Migration): Promise<Knex.Migration> {
    return m;
  }
}

const config = (list?: Migration[]): Knex.MigratorConfig => ({
  migrationSource: new StaticSource(list),
  tableName: 'knex_migrations',
});

/** Brings the schema to the latest version; returns the names applied now. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest(config())) as [number, string[]];
  return applied;
}

/**
 * Brings the schema to the version of migration `name` exactly (applying up to it, or
 * rolling back what came after): a store in an older layout, for migration tests.
 */
export async function migrateTo(knex: Knex, name: string): Promise<void> {
  const at = migrations.findIndex((m) => m.name === name);
  if (at < 0) throw new Error(`no migration named ${name}`);
  for (;;) {
    const { applied } = await migrationStatus(knex);
    const last = applied[applied.length - 1];
    if (last === undefined || migrations.findIndex((m) => m.name === last) <= at) break;
    await knex.migrate.down(config());
  }
  await knex.migrate.latest(config(migrations.slice(0, at + 1)));
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback(config(), true);
}

export async function migrationStatus(knex: Knex): Promise<{ applied: string[]; pending: string[] }> {
  const [applied, pending] = (await knex.migrate.list(config())) as [Array<{ name: string }>, Migration[]];
  return { applied: applied.map((a) => a.name), pending: pending.map((p) => p.name) };
}

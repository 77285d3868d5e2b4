/**
 * runs.warnings: how many `warn` expectations of the run did not hold, so the Runs
 * page (and `runs(succeededWithWarnings: true)`) filters in the store instead of
 * reading every run's validation report. Runs recorded before this migration are
 * counted from their stored reports, in pages (a store may hold many runs).
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';
import { warningCount } from '../src/domain/validation-report';
import type { ValidationReport } from '../src/domain/validation-report';

const PAGE = 500;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.integer('warnings').notNullable().defaultTo(0);
  });
  let after = '';
  for (;;) {
    const rows = (await knex(T.runs)
      .select('id', 'validation')
      .whereNotNull('validation')
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)) as Array<{ id: string; validation: string | object }>;
    if (rows.length === 0) break;
    for (const r of rows) {
      const report = (
        typeof r.validation === 'string' ? JSON.parse(r.validation) : r.validation
      ) as ValidationReport | null;
      const n = warningCount(report);
      if (n > 0) await knex(T.runs).where({ id: r.id }).update({ warnings: n });
    }
    after = rows[rows.length - 1]!.id;
  }
}

export async function down(knex: Knex): Promise<void> {
  // A plain DROP COLUMN on both engines: knex's dropColumn rebuilds a SQLite table,
  // which would lose the trigger that numbers runs (runs_seq_on_insert).
  await knex.raw('ALTER TABLE ?? DROP COLUMN warnings', [T.runs]);
}

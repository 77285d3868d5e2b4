/**
 * A leaner feature table. Every feature row carried its run id (a 30-character text),
 * environment and contract name, and the point-in-time index repeated the last three in
 * every entry ahead of the entity key. Now a row names its run by `runs.seq` and its
 * view (environment, contract, major) by `feature_views.id`, both integers, and the
 * index is (view_id, entity_key, event_time): about half the bytes a row and an entry,
 * so fewer pages to write on a commit and to read on a point-in-time walk. Run ids stay
 * the public `run_…` text; only the feature table refers to runs by number.
 *
 * Existing rows are copied into the new table (SQLite cannot change a column's type in
 * place, and PostgreSQL's in-place rewrite would keep the old columns' bytes until a
 * VACUUM FULL), counted against the old table before it is dropped, then indexed.
 * `down` converts back the same way.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

const F = T.featureRows;
const OLD = 'feature_rows_old';

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  await addRunSeq(knex);
  await knex.schema.createTable(T.featureViews, (t) => {
    t.increments('id').primary();
    t.string('environment', 16).notNullable();
    t.string('contract_name', 63).notNullable();
    t.integer('contract_major').notNullable();
    t.unique(['environment', 'contract_name', 'contract_major']);
  });
  await knex.raw(`INSERT INTO ${T.featureViews} (environment, contract_name, contract_major)
    SELECT DISTINCT environment, contract_name, contract_major FROM ${F}
    ORDER BY environment, contract_name, contract_major`);

  await setAside(knex, ['feature_rows_pit', 'feature_rows_run_id_index']);
  await knex.schema.createTable(F, (t) => {
    t.bigIncrements('id').primary();
    t.integer('run_seq').notNullable().references('seq').inTable(T.runs);
    t.integer('view_id').notNullable().references('id').inTable(T.featureViews);
    t.text('entity_key').notNullable();
    t.bigInteger('event_time').notNullable();
    t.text('feature_values').notNullable();
  });
  await knex.raw(`INSERT INTO ${F} (id, run_seq, view_id, entity_key, event_time, feature_values)
    SELECT o.id, r.seq, v.id, o.entity_key, o.event_time, o.feature_values
    FROM ${OLD} o
    JOIN ${T.runs} r ON r.id = o.run_id
    JOIN ${T.featureViews} v ON v.environment = o.environment AND v.contract_name = o.contract_name
      AND v.contract_major = o.contract_major
    ORDER BY o.id`);
  await finish(knex);
  await knex.schema.alterTable(F, (t) => {
    // The point-in-time read: per entity of a view, greatest event time <= asOf.
    t.index(['view_id', 'entity_key', 'event_time'], 'feature_rows_pit');
    t.index(['run_seq'], 'feature_rows_run_seq_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await setAside(knex, ['feature_rows_pit', 'feature_rows_run_seq_index']);
  await knex.schema.createTable(F, (t) => {
    t.bigIncrements('id').primary();
    t.string('run_id', 40).notNullable().references('id').inTable(T.runs);
    t.string('environment', 16).notNullable();
    t.string('contract_name', 63).notNullable();
    t.integer('contract_major').notNullable();
    t.text('entity_key').notNullable();
    t.bigInteger('event_time').notNullable();
    t.text('feature_values').notNullable();
  });
  await knex.raw(`INSERT INTO ${F}
      (id, run_id, environment, contract_name, contract_major, entity_key, event_time, feature_values)
    SELECT o.id, r.id, v.environment, v.contract_name, v.contract_major, o.entity_key, o.event_time,
      o.feature_values
    FROM ${OLD} o
    JOIN ${T.runs} r ON r.seq = o.run_seq
    JOIN ${T.featureViews} v ON v.id = o.view_id
    ORDER BY o.id`);
  await finish(knex);
  await knex.schema.alterTable(F, (t) => {
    t.index(
      ['environment', 'contract_name', 'contract_major', 'entity_key', 'event_time'],
      'feature_rows_pit',
    );
    t.index(['run_id']);
  });
  await knex.schema.dropTable(T.featureViews);
  await dropRunSeq(knex);
}

/**
 * `runs.seq`: a run's number, given when it is inserted (a sequence on PostgreSQL, a
 * trigger on SQLite, whose ALTER TABLE cannot add a column with a computed default).
 */
async function addRunSeq(knex: Knex): Promise<void> {
  if (isPg(knex)) {
    await knex.raw(`ALTER TABLE ${T.runs} ADD COLUMN seq serial`);
    await knex.raw(`ALTER TABLE ${T.runs} ADD CONSTRAINT runs_seq_unique UNIQUE (seq)`);
    return;
  }
  await knex.raw(`ALTER TABLE ${T.runs} ADD COLUMN seq integer`);
  await knex.raw(`UPDATE ${T.runs} SET seq = rowid`);
  await knex.raw(`CREATE UNIQUE INDEX runs_seq_unique ON ${T.runs} (seq)`);
  await knex.raw(`CREATE TRIGGER runs_seq_on_insert AFTER INSERT ON ${T.runs} WHEN NEW.seq IS NULL BEGIN
      UPDATE ${T.runs} SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM ${T.runs}) WHERE id = NEW.id;
    END`);
}

async function dropRunSeq(knex: Knex): Promise<void> {
  if (isPg(knex)) {
    await knex.raw(`ALTER TABLE ${T.runs} DROP COLUMN seq`);
    return;
  }
  await knex.raw('DROP TRIGGER IF EXISTS runs_seq_on_insert');
  await knex.raw('DROP INDEX runs_seq_unique');
  await knex.raw(`ALTER TABLE ${T.runs} DROP COLUMN seq`);
}

/**
 * Renames the feature table to OLD with its indexes dropped, and on PostgreSQL its key
 * and id sequence renamed, so the new table can take the names.
 */
async function setAside(knex: Knex, indexes: string[]): Promise<void> {
  for (const index of indexes) await knex.raw(`DROP INDEX ${index}`);
  await knex.raw(`ALTER TABLE ${F} RENAME TO ${OLD}`);
  if (isPg(knex)) {
    await knex.raw(`ALTER TABLE ${OLD} RENAME CONSTRAINT ${F}_pkey TO ${OLD}_pkey`);
    await knex.raw(`ALTER SEQUENCE ${F}_id_seq RENAME TO ${OLD}_id_seq`);
  }
}

/** Checks that every row was copied, drops OLD and moves the id sequence past the copied ids. */
async function finish(knex: Knex): Promise<void> {
  const count = async (table: string) => Number((await knex(table).count({ n: '*' }))[0]!.n);
  const [before, after] = [await count(OLD), await count(F)];
  if (before !== after) {
    throw new Error(
      `${F}: ${after} of ${before} rows copied (a row names a run or view that does not exist)`,
    );
  }
  await knex.schema.dropTable(OLD);
  if (isPg(knex)) {
    await knex.raw(
      `SELECT setval(pg_get_serial_sequence('${F}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM ${F}`,
    );
  }
}

/**
 * The run event log (an outbox): one row per run status change, written by a trigger
 * on `runs` so it is in the same transaction as the change whoever makes it (the
 * server's executor, a `tidemark run` in another process, another instance, the
 * sweep). Subscribers read it by `id`, the event's cursor.
 *
 * PostgreSQL: a bigserial id is drawn at insert time but becomes visible at commit,
 * so two concurrent transactions could commit ids 8 then 7, and a reader that had
 * already read 8 would skip 7 for ever. The trigger takes one transaction-scoped
 * advisory lock before drawing the id, so event-writing transactions commit in id
 * order: a later id is never visible before an earlier one. The lock is taken at the
 * status change, which every transaction makes last (its commit follows at once), so
 * it serialises only the end of those transactions. It also sends a NOTIFY, a
 * wake-up only: the table stays the truth.
 * SQLite serialises writers already, so ids commit in order.
 */
import type { Knex } from 'knex';

const EVENTS = 'run_events';
/** The advisory lock key of event inserts (any constant shared by all writers). */
const EVENT_LOCK = 7_305_201;
const SNAPSHOT = ['rows_read', 'rows_valid', 'rows_rejected', 'rows_written', 'rows_filtered'];
const COLS = SNAPSHOT.join(', ');
const NEW_COLS = SNAPSHOT.map((c) => `NEW.${c}`).join(', ');

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(EVENTS, (t) => {
    t.bigIncrements('id').primary();
    t.string('run_id').notNullable();
    t.string('status').notNullable();
    t.string('contract_name').notNullable();
    t.string('environment').notNullable();
    t.bigInteger('created_at').notNullable();
    // The run's counts as of this change (the run row moves on; an event keeps its moment).
    for (const c of SNAPSHOT) t.integer(c);
    t.index(['created_at']);
  });
  if (knex.client.config.client === 'pg') await upPostgres(knex);
  else await upSqlite(knex);
}

async function upSqlite(knex: Knex): Promise<void> {
  const insert = `INSERT INTO ${EVENTS} (run_id, status, contract_name, environment, ${COLS}, created_at)
    VALUES (NEW.id, NEW.status, NEW.contract_name, NEW.environment, ${NEW_COLS}, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));`;
  await knex.raw(`CREATE TRIGGER run_events_on_insert AFTER INSERT ON runs BEGIN ${insert} END`);
  await knex.raw(`CREATE TRIGGER run_events_on_update AFTER UPDATE OF status ON runs
    WHEN NEW.status IS NOT OLD.status BEGIN ${insert} END`);
}

async function upPostgres(knex: Knex): Promise<void> {
  await knex.raw(`CREATE OR REPLACE FUNCTION run_events_record() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN RETURN NEW; END IF;
      PERFORM pg_advisory_xact_lock(${EVENT_LOCK});
      INSERT INTO ${EVENTS} (run_id, status, contract_name, environment, ${COLS}, created_at)
        VALUES (NEW.id, NEW.status, NEW.contract_name, NEW.environment, ${NEW_COLS},
                (extract(epoch from clock_timestamp()) * 1000)::bigint);
      PERFORM pg_notify('tidemark_run_events', current_schema());
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await knex.raw(`CREATE TRIGGER run_events_record AFTER INSERT OR UPDATE OF status ON runs
    FOR EACH ROW EXECUTE FUNCTION run_events_record()`);
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') {
    await knex.raw('DROP TRIGGER IF EXISTS run_events_record ON runs');
    await knex.raw('DROP FUNCTION IF EXISTS run_events_record()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS run_events_on_insert');
    await knex.raw('DROP TRIGGER IF EXISTS run_events_on_update');
  }
  await knex.schema.dropTable(EVENTS);
}

/** Runs: their lifecycle and their system-time visibility window. */
import type { Knex } from 'knex';
import { DEFERRED } from './sqlite-immediate';
import { T } from './tables';
import { toMillis, lockKey, type Engine } from './dialect';
import { BARE_COLUMNS, patchToDb, toDb, toRun, type DbRunRow } from './run.row';
import type { Run, RunStatus } from '../domain/run';
import type { Environment } from '../domain/environment';
import { listRuns, type RunCursor, type RunFilter, type RunPage } from './run-list';

export interface RunningClaim {
  run: Run;
  /** `<owner>:<pid>` for a process's default instance id (scheduling/incarnation.ts). */
  claimedBy: string | null;
  /** The holder's incarnation when it recorded one. */
  incarnation: string | null;
  leaseUntil: number | null;
}

export type { RunFilter, RunPage } from './run-list';

export class RunRepository {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly engine: Engine = 'sqlite',
  ) {}

  /** The oldest queued run of (contract, env) that may start at `now`. */
  async nextQueued(contract: string, environment: string, now: number): Promise<Run | null> {
    const row = await this.db<DbRunRow>(T.runs)
      .where({ contract_name: contract, environment, status: 'queued' })
      .where((w) => w.whereNull('not_before').orWhere('not_before', '<=', now))
      .orderBy([{ column: 'queued_at' }, { column: 'id' }])
      .first();
    return row ? toRun(row) : null;
  }

  /** The earliest not_before among delayed queued runs of (contract, env), if any. */
  async nextWakeUp(contract: string, environment: string): Promise<number | null> {
    const [row] = await this.db(T.runs)
      .where({ contract_name: contract, environment, status: 'queued' })
      .whereNotNull('not_before')
      .min<{ t: number | string | null }[]>({ t: 'not_before' });
    return toMillis(row?.t ?? null);
  }

  /** Every (contract, environment) with queued runs. */
  async queuedKeys(): Promise<Array<{ contract: string; environment: string }>> {
    const rows = await this.db(T.runs).where({ status: 'queued' }).distinct('contract_name', 'environment');
    return rows.map((r: { contract_name: string; environment: string }) => ({
      contract: r.contract_name,
      environment: r.environment,
    }));
  }

  /**
   * Claims a queued run for `instance`: queued → running with a lease, only when no
   * other run of the same (contract, environment) is running. Atomic across
   * processes (the key is locked for the transaction). `incarnation` tells this holder
   * from a later process with the same pid (scheduling/incarnation.ts).
   */
  async claim(
    run: Run,
    instance: string,
    now: number,
    leaseUntil: number,
    incarnation: string | null = null,
  ): Promise<boolean> {
    return (await this.claimAt(run, instance, () => now, leaseUntil - now, incarnation)) !== null;
  }

  /**
   * Claims a queued run when no run of its lane is running; the start time (null: refused).
   * The time is read once the lane is known free, inside the claim's transaction: read
   * before, it could precede the finish of the run that held the lane while the claim
   * waited for the lane's lock, and the record would show two runs of one lane overlapping.
   */
  async claimAt(
    run: Run,
    instance: string,
    clock: () => number,
    leaseMs: number,
    incarnation: string | null = null,
  ): Promise<number | null> {
    const exec = async (trx: Knex.Transaction): Promise<number | null> => {
      await lockKey(trx, this.engine, `run-lane:${run.contractName}:${run.environment}`);
      const busy = await trx(T.runs)
        .where({ contract_name: run.contractName, environment: run.environment, status: 'running' })
        .first('id');
      if (busy) return null;
      const now = clock();
      const n = await trx(T.runs)
        .where({ id: run.id, status: 'queued' })
        .update({
          status: 'running',
          started_at: now,
          claimed_by: instance,
          claimed_incarnation: incarnation,
          lease_until: now + leaseMs,
        });
      return n > 0 ? now : null;
    };
    // Deferred on SQLite: a lane busy in another process is refused by a read, without
    // waiting for that process's commit to release the write lock.
    return 'commit' in this.db
      ? exec(this.db as Knex.Transaction)
      : (this.db as Knex).transaction(exec, DEFERRED);
  }

  /** Running runs with who holds them (crash recovery tells a dead holder from a live one). */
  async runningClaims(): Promise<RunningClaim[]> {
    const rows = await this.db<DbRunRow>(T.runs).where({ status: 'running' });
    return rows.map((r) => ({
      run: toRun(r),
      claimedBy: r.claimed_by,
      incarnation: r.claimed_incarnation ?? null,
      leaseUntil: toMillis(r.lease_until),
    }));
  }

  /** Fails a running run as interrupted, only while `claimedBy` (a holder known dead) still holds it. */
  async failAbandoned(id: string, claimedBy: string, now: number, error: string): Promise<boolean> {
    const n = await this.db(T.runs).where({ id, status: 'running', claimed_by: claimedBy }).update({
      status: 'failed',
      finished_at: now,
      error,
      error_kind: 'interrupted',
      claimed_incarnation: null,
    });
    return n > 0;
  }

  /**
   * Fails a running run as interrupted, only if its lease is (still) lapsed at `now`:
   * the check and the update are one statement, so a heartbeat in between wins.
   */
  async failOrphan(id: string, now: number, error: string): Promise<boolean> {
    const n = await this.db(T.runs)
      .where({ id, status: 'running' })
      .where((w) => w.whereNull('lease_until').orWhere('lease_until', '<', now))
      .update({
        status: 'failed',
        finished_at: now,
        error,
        error_kind: 'interrupted',
        claimed_incarnation: null,
      });
    return n > 0;
  }

  async insert(run: Run): Promise<void> {
    await this.db(T.runs).insert(toDb(run));
  }

  async get(id: string): Promise<Run | null> {
    const row = await this.db<DbRunRow>(T.runs).where({ id }).first();
    return row ? toRun(row) : null;
  }

  async getMany(ids: readonly string[]): Promise<Run[]> {
    if (ids.length === 0) return [];
    return (await this.db<DbRunRow>(T.runs).whereIn('id', [...ids])).map(toRun);
  }

  /**
   * getMany without the validation reports and stage timings (`validation` and `stages`
   * null): for pictures of many runs (lineage), where a report, the largest part of a
   * run's row, is neither read nor parsed.
   */
  async getManyBare(ids: readonly string[]): Promise<Run[]> {
    if (ids.length === 0) return [];
    const rows = (await this.db(T.runs)
      .whereIn('id', [...ids])
      .select(BARE_COLUMNS)) as Array<Omit<DbRunRow, 'validation' | 'stages'>>;
    return rows.map((r) => toRun({ ...r, validation: null, stages: null }));
  }

  /** The ids of a contract's newest runs (every environment), newest first; nothing counted, no row parsed. */
  async newestIds(contract: string, limit: number): Promise<string[]> {
    const rows = await this.db(T.runs)
      .where('contract_name', contract)
      .orderBy([
        { column: 'queued_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)
      .select<Array<{ id: string }>>('id');
    return rows.map((r) => r.id);
  }

  /** Updates the given fields; returns false when the run is not in `expected` status. */
  async update(id: string, patch: Partial<Run>, expected?: RunStatus[]): Promise<boolean> {
    const q = this.db(T.runs).where({ id });
    if (expected) q.whereIn('status', expected);
    const row = patchToDb(patch);
    // The holder's incarnation matters only while the run is running; dropping it as the
    // run ends keeps an ended run's row as small as before it was recorded (a full disk
    // still has room for the final update exactly when it had before).
    if (patch.status !== undefined && patch.status !== 'running') row.claimed_incarnation = null;
    const n = await q.update(row);
    return n > 0;
  }

  /**
   * The newest event time among the run's feature rows, written with them in the
   * commit: freshness reads it instead of scanning the rows (migration 6).
   */
  async setNewestEventTime(id: string, eventTime: number | null): Promise<void> {
    await this.db(T.runs).where({ id }).update({ newest_event_time: eventTime });
  }

  /**
   * The greatest event time among the rows of a feature view visible now (for
   * freshness); null when none: the newest of its visible runs' recorded times, so
   * no feature row is read.
   */
  async newestEventTime(view: {
    environment: Environment;
    contract: string;
    major: number;
  }): Promise<number | null> {
    const row = await this.db(T.runs)
      .where({ environment: view.environment, contract_name: view.contract, contract_major: view.major })
      .whereNotNull('committed_at')
      .whereNull('invalidated_at')
      .max({ newest: 'newest_event_time' })
      .first();
    return toMillis((row as { newest?: number | string | null } | undefined)?.newest);
  }

  /** Newest first, keyset-paginated on (queued_at, id) (run-list.ts). */
  async list(filter: RunFilter, first: number, after?: RunCursor): Promise<RunPage> {
    return listRuns(this.db, filter, first, after);
  }

  /** Runs whose parent is one of `ids` (for batched GraphQL loads). */
  async childrenOf(ids: readonly string[]): Promise<Run[]> {
    if (ids.length === 0) return [];
    const rows = await this.db<DbRunRow>(T.runs)
      .whereIn('parent_run_id', [...ids])
      .orderBy('queued_at', 'asc');
    return rows.map(toRun);
  }

  /** Succeeded runs that wrote rows for (env, contract, major) after `since` (for dependent reprocessing). */
  async succeededAfter(env: Environment, contract: string, major: number, since: number): Promise<Run[]> {
    const rows = await this.db<DbRunRow>(T.runs)
      .where({ environment: env, contract_name: contract, contract_major: major, status: 'succeeded' })
      .where('committed_at', '>', since)
      .orderBy('committed_at', 'asc');
    return rows.map(toRun);
  }
}

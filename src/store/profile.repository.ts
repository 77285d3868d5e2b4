/**
 * Run profiles (run_profiles): written in the run's commit, read for a run's page, for
 * a drift baseline (the last N succeeded runs of a contract and environment, or one
 * pinned run) and for a column's or feature's history over runs.
 */
import type { Knex } from 'knex';
import { T } from './tables';
import { fromJson, toMillis } from './dialect';
import type { Profile, ProfileKind } from '../domain/profile';
import type { BaselineSpec } from '../domain/profile';

export interface ProfileRef {
  contract: string;
  environment: string;
  kind: ProfileKind;
  name: string;
}

export interface ProfilePoint {
  runId: string;
  committedAt: number;
  profile: Profile;
}

interface Row {
  run_id: string;
  committed_at: number | string;
  profile: string;
}

export class ProfileRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async insertMany(runId: string, profiles: readonly Profile[]): Promise<void> {
    // A chunk at a time: a wide contract's profiles stay well under any bind limit.
    for (let i = 0; i < profiles.length; i += 50) {
      await this.db(T.runProfiles).insert(
        profiles.slice(i, i + 50).map((p) => ({
          run_id: runId,
          kind: p.kind,
          name: p.name,
          profile: JSON.stringify(p),
        })),
      );
    }
  }

  /** A run's profiles: columns first, then features, each by name. */
  async forRun(runId: string): Promise<Profile[]> {
    const rows = (await this.db(T.runProfiles)
      .where({ run_id: runId })
      .orderBy([{ column: 'kind' }, { column: 'name' }])
      .select('profile')) as Array<{ profile: string }>;
    return rows.map((r) => fromJson<Profile>(r.profile)!);
  }

  /**
   * The profiles a baseline merges, newest first. `last`: the latest succeeded runs of
   * the contract and environment (failed, cancelled and superseded runs never count);
   * `run`: that run, whatever came after it.
   */
  async baseline(ref: ProfileRef, spec: BaselineSpec, excludeRunId?: string): Promise<ProfilePoint[]> {
    const q = this.joined(ref);
    if ('run' in spec) q.where('r.id', spec.run);
    else {
      q.where('r.status', 'succeeded').limit(spec.last);
      if (excludeRunId) q.whereNot('r.id', excludeRunId);
    }
    return points(
      await q.orderBy([
        { column: 'r.committed_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ]),
    );
  }

  /** The last `last` succeeded runs' profiles of one column or feature, oldest first (for a chart). */
  async history(ref: ProfileRef, last: number): Promise<ProfilePoint[]> {
    const rows = await this.joined(ref)
      .whereIn('r.status', ['succeeded', 'superseded'])
      .orderBy([
        { column: 'r.committed_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ])
      .limit(last);
    return points(rows).reverse();
  }

  private joined(ref: ProfileRef): Knex.QueryBuilder {
    return this.db(`${T.runProfiles} as p`)
      .join(`${T.runs} as r`, 'r.id', 'p.run_id')
      .where({
        'p.kind': ref.kind,
        'p.name': ref.name,
        'r.contract_name': ref.contract,
        'r.environment': ref.environment,
      })
      .select('p.run_id', 'r.committed_at', 'p.profile');
  }
}

function points(rows: Row[]): ProfilePoint[] {
  return rows.map((r) => ({
    runId: r.run_id,
    committedAt: toMillis(r.committed_at)!,
    profile: fromJson<Profile>(r.profile)!,
  }));
}

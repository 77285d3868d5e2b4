/** What the run resolvers call: run reads shaped for GraphQL, and run mutations. */
import { toColumnProfile } from '../mappers/profile.mapper';
import type { ColumnProfile, ProfilePoint } from '../types/profile.type';
import type { Runtime } from '../../runtime';
import { parseEnvironment } from '../../config';
import { InputError } from '../../errors';
import type { RunStatus as DomainStatus, RunTrigger } from '../../domain/run';
import { RUN_TRIGGERS } from '../../domain/run';
import { toRunType, toRejectType, encodeCursor, decodeCursor } from '../mappers/run.mapper';
import { decodeRejectCursor, encodeRejectCursor } from '../mappers/reject-cursor';
import type { Run, RunConnection, RejectConnection } from '../types/run.type';
import { LIMITS, bounded } from '../limits';
import { rollbackPreview } from '../../scheduling/rollback-preview';
import type { RollbackPreview } from '../types/run-actions.type';

export interface RunsArgs {
  contract?: string;
  contractVersion?: string;
  status?: DomainStatus;
  environment?: string;
  trigger?: string;
  from?: Date;
  to?: Date;
  hasRejects?: boolean;
  succeededWithWarnings?: boolean;
  first?: number;
  after?: string;
}

/** The page arguments of Run.rejects, as given (null or absent when not). */
export interface RejectPageArgs {
  first?: number | null;
  offset?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export class RunGraphService {
  constructor(private readonly rt: Runtime) {}

  async list(a: RunsArgs): Promise<RunConnection> {
    const first = a.first ?? 20;
    if (first < 1 || first > LIMITS.maxPage)
      throw new InputError(`first must be between 1 and ${LIMITS.maxPage}`);
    const after = a.after ? decodeCursor(a.after) : undefined;
    if (a.after && !after) throw new InputError(`after: '${a.after}' is not a cursor returned by runs`);
    if (a.trigger && !(RUN_TRIGGERS as readonly string[]).includes(a.trigger)) {
      throw new InputError(`trigger must be one of ${RUN_TRIGGERS.join(', ')}`);
    }
    const page = await this.rt.store.runs.list(
      {
        contract: a.contract,
        contractVersion: a.contractVersion,
        status: a.status,
        environment: a.environment ? parseEnvironment(a.environment) : undefined,
        trigger: a.trigger as RunTrigger | undefined,
        from: a.from?.getTime(),
        to: a.to?.getTime(),
        hasRejects: a.hasRejects,
        succeededWithWarnings: a.succeededWithWarnings,
      },
      first,
      after ?? undefined,
    );
    const last = page.runs[page.runs.length - 1];
    return {
      nodes: page.runs.map(toRunType),
      totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeCursor(last) : null },
    };
  }

  async get(id: string): Promise<Run | null> {
    const run = await this.rt.store.runs.get(id);
    return run ? toRunType(run) : null;
  }

  async profile(runId: string): Promise<ColumnProfile[]> {
    return (await this.rt.store.profiles.forRun(runId)).map(toColumnProfile);
  }

  async profileHistory(q: {
    contract: string;
    environment: string;
    name: string;
    kind: string;
    last: number;
  }): Promise<ProfilePoint[]> {
    if (q.kind !== 'column' && q.kind !== 'feature')
      throw new InputError(`kind must be column or feature, got '${q.kind}'`);
    if (q.last < 1 || q.last > 500) throw new InputError('last must be between 1 and 500');
    const ref = { contract: q.contract, environment: q.environment, kind: q.kind, name: q.name } as const;
    const points = await this.rt.store.profiles.history(ref, q.last);
    return points.map((p) => ({
      runId: p.runId,
      committedAt: new Date(p.committedAt),
      profile: toColumnProfile(p.profile),
    }));
  }

  async rejects(runId: string, a: RejectPageArgs): Promise<RejectConnection> {
    const given = (v: unknown) => v !== null && v !== undefined;
    const size = (name: string, v: number) => {
      if (v < 1 || v > LIMITS.maxPage)
        throw new InputError(`${name} must be between 1 and ${LIMITS.maxPage}`);
      return v;
    };
    if (given(a.first) && given(a.last)) throw new InputError('rejects takes first or last, not both');
    if (given(a.offset) && (given(a.after) || given(a.before) || given(a.last)))
      throw new InputError('rejects: offset pages with first only; use after/before cursors instead');
    if (given(a.after) && given(a.before)) throw new InputError('rejects takes after or before, not both');
    if (given(a.after) && given(a.last))
      throw new InputError('rejects: after goes with first, before with last');
    if (given(a.before) && given(a.first))
      throw new InputError('rejects: before goes with last, after with first');
    if (given(a.offset)) {
      if (a.offset! < 0) throw new InputError('offset must not be negative');
      const first = size('first', a.first ?? 50);
      const page = await this.rt.store.rejects.forRun(runId, first, a.offset!);
      return {
        nodes: page.rows.map(toRejectType),
        totalCount: page.totalCount,
        pageInfo: {
          hasNextPage: a.offset! + page.rows.length < page.totalCount,
          hasPreviousPage: a.offset! > 0,
          startCursor: null,
          endCursor: null,
        },
      };
    }
    const cursor = (name: 'after' | 'before', v: string | null | undefined) => {
      if (!given(v)) return null;
      const key = decodeRejectCursor(v!);
      if (!key) throw new InputError(`${name}: '${v}' is not a cursor returned by rejects`);
      return key;
    };
    const backward = given(a.last) || given(a.before);
    const page = backward
      ? await this.rt.store.rejects.pageByKey(runId, {
          direction: 'backward',
          before: cursor('before', a.before),
          limit: size('last', a.last ?? 50),
        })
      : await this.rt.store.rejects.pageByKey(runId, {
          direction: 'forward',
          after: cursor('after', a.after),
          limit: size('first', a.first ?? 50),
        });
    const first = page.rows[0];
    const last = page.rows[page.rows.length - 1];
    return {
      nodes: page.rows.map(toRejectType),
      totalCount: page.totalCount,
      pageInfo: {
        // Rows lie beyond a cursor on its side: it was handed out with one of them.
        hasNextPage: backward ? given(a.before) : page.more,
        hasPreviousPage: backward ? page.more : given(a.after),
        startCursor: first ? encodeRejectCursor(first.key) : null,
        endCursor: last ? encodeRejectCursor(last.key) : null,
      },
    };
  }

  async trigger(
    contract: string,
    environment: string | undefined,
    actor: string,
    force = false,
  ): Promise<Run> {
    return toRunType(
      await this.rt.runs.trigger({ contract, environment: this.env(environment), actor, force }),
    );
  }

  async ingest(
    contract: string,
    records: unknown[],
    environment: string | undefined,
    actor: string,
    force = false,
  ): Promise<Run> {
    bounded(records, LIMITS.maxRecords, 'records');
    return toRunType(
      await this.rt.runs.ingest({ contract, records, environment: this.env(environment), actor, force }),
    );
  }

  async rollback(id: string, actor: string): Promise<Run> {
    return toRunType(await this.rt.runs.rollback(id, actor));
  }

  /** What rollbackRun(id) would change; null when the run does not exist. */
  async rollbackPreview(id: string): Promise<RollbackPreview | null> {
    const run = await this.rt.store.runs.get(id);
    if (!run) return null;
    const p = await rollbackPreview(this.rt.store, run);
    return { ...p, reprocessed: p.reprocessed.map(toRunType) };
  }

  async reprocess(id: string, contractVersion: string | undefined, actor: string): Promise<Run> {
    return toRunType(await this.rt.runs.reprocess(id, { contractVersion, actor }));
  }

  private env(e: string | undefined) {
    return e ? parseEnvironment(e) : this.rt.config.defaultEnvironment;
  }
}

import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';
import { Run, RunConnection, RunStatus, RawBatch, RejectConnection } from '../types/run.type';
import type { GraphQLContext } from '../context';
import { toRunType, toRawBatchType } from '../mappers/run.mapper';
import { given } from '../given';

@Resolver(() => Run)
export class RunResolver {
  @Query(() => RunConnection, { description: 'Runs, newest first, cursor-paginated.' })
  runs(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String, { nullable: true }) contract?: string,
    @Arg('status', () => RunStatus, { nullable: true }) status?: RunStatus,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
    @Arg('trigger', () => String, { nullable: true }) trigger?: string,
    @Arg('from', () => Date, { nullable: true, description: 'Queued at or after.' }) from?: Date,
    @Arg('to', () => Date, { nullable: true, description: 'Queued before.' }) to?: Date,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('hasRejects', () => Boolean, {
      nullable: true,
      description: 'true: runs that rejected rows; false: runs that rejected none.',
    })
    hasRejects?: boolean | null,
    @Arg('succeededWithWarnings', () => Boolean, {
      nullable: true,
      description:
        'true: succeeded runs with a `warn` expectation that did not hold (see Run.warnings); false: every other run.',
    })
    succeededWithWarnings?: boolean | null,
  ): Promise<RunConnection> {
    return ctx.services.runs.list({
      contract,
      status,
      environment,
      trigger,
      from,
      to,
      first,
      after,
      hasRejects: given(hasRejects),
      succeededWithWarnings: given(succeededWithWarnings),
    });
  }

  @Query(() => Run, { nullable: true })
  run(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Run | null> {
    return ctx.services.runs.get(id);
  }

  @FieldResolver(() => Run, { nullable: true, description: 'The run this one retried or reprocessed.' })
  async parent(@Root() run: Run, @Ctx() ctx: GraphQLContext): Promise<Run | null> {
    if (!run.parentRunId) return null;
    const parent = await ctx.loaders.run.load(run.parentRunId);
    return parent ? toRunType(parent) : null;
  }

  @FieldResolver(() => [Run], { description: 'Runs that retried or reprocessed this one.' })
  async children(@Root() run: Run, @Ctx() ctx: GraphQLContext): Promise<Run[]> {
    return (await ctx.loaders.children.load(run.id)).map(toRunType);
  }

  @FieldResolver(() => [RawBatch])
  async rawBatches(@Root() run: Run, @Ctx() ctx: GraphQLContext): Promise<RawBatch[]> {
    return (await ctx.loaders.rawBatches.load(run.id)).map(toRawBatchType);
  }

  @FieldResolver(() => RejectConnection, {
    description:
      'Its rejected rows, by raw batch and row number (rows with no raw batch last). Keyset pages: `first` (default 50) after the cursor `after`, or the `last` rows before the cursor `before` (without `before`, the last page). Every keyset page costs the same however deep it is. `offset` pages (with `first`) remain for old clients; they slow down with depth.',
  })
  rejects(
    @Root() run: Run,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('offset', () => Int, { nullable: true }) offset?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('last', () => Int, { nullable: true }) last?: number | null,
    @Arg('before', () => String, { nullable: true }) before?: string | null,
  ): Promise<RejectConnection> {
    return ctx.services.runs.rejects(run.id, { first, offset, after, last, before });
  }

  @Authorized('writer')
  @Mutation(() => Run, {
    description: "Runs the contract's active version over new files in its landing location.",
  })
  triggerRun(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String) contract: string,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
    @Arg('force', () => Boolean, {
      nullable: true,
      description: 'Run files again even when their content (sha256) was ingested before.',
    })
    force?: boolean,
  ): Promise<Run> {
    return ctx.services.runs.trigger(contract, environment, ctx.actor, force ?? false);
  }

  @Authorized('writer')
  @Mutation(() => Run, {
    description: 'Pushes records through the pipeline of a push contract; answers with the run.',
  })
  ingest(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String) contract: string,
    @Arg('records', () => [GraphQLJSON]) records: unknown[],
    @Arg('environment', () => String, { nullable: true }) environment?: string,
    @Arg('force', () => Boolean, {
      nullable: true,
      description: 'Ingest the records again even when the same records were ingested before.',
    })
    force?: boolean,
  ): Promise<Run> {
    return ctx.services.runs.ingest(contract, records, environment, ctx.actor, force ?? false);
  }

  @Authorized('admin')
  @Mutation(() => Run, { description: 'Hides a succeeded run’s rows; earlier values become visible again.' })
  rollbackRun(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): Promise<Run> {
    return ctx.services.runs.rollback(id, ctx.actor);
  }

  @Authorized('admin')
  @Mutation(() => Run, {
    description: 'Re-runs a run’s kept raw batches, under its or another contract version.',
  })
  reprocessRun(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('contractVersion', () => String, { nullable: true }) contractVersion?: string,
  ): Promise<Run> {
    return ctx.services.runs.reprocess(id, contractVersion, ctx.actor);
  }
}

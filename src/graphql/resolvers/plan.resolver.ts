import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { ContractPlan } from '../types/plan.type';
import type { GraphQLContext } from '../context';

@Resolver()
export class PlanResolver {
  // Reader: a plan only reads (runs, raw batches, stored history); it registers nothing.
  @Query(() => ContractPlan, {
    description:
      "Replays the last `runs` (default 5, at most 50) succeeded runs' kept raw batches through the active version and the proposed one; reports changed values, new rejects, verdicts, affected features and time. Writes nothing.",
  })
  planContract(
    @Ctx() ctx: GraphQLContext,
    @Arg('yaml', () => String) yaml: string,
    @Arg('runs', () => Int, { nullable: true }) runs?: number | null,
    @Arg('environment', () => String, { nullable: true }) environment?: string | null,
  ): Promise<ContractPlan> {
    return ctx.services.plan.plan(yaml, runs ?? undefined, environment ?? undefined);
  }
}

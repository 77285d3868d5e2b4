import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';
import { LineageGraph } from '../types/lineage.type';
import type { GraphQLContext } from '../context';

@Resolver(() => LineageGraph)
export class LineageResolver {
  @Query(() => LineageGraph, {
    description: 'raw batch → run → feature view, for a run, a contract, or one entity of a contract.',
  })
  lineage(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String, { nullable: true }) contract?: string,
    @Arg('run', () => ID, { nullable: true }) run?: string,
    @Arg('entity', () => GraphQLJSON, { nullable: true }) entity?: unknown,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
  ): Promise<LineageGraph> {
    return ctx.services.lineage.graph({ contract, run, entity, environment });
  }
}

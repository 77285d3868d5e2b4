import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';
import { FeatureVector } from '../types/feature.type';
import type { GraphQLContext } from '../context';
import { given } from '../given';

@Resolver(() => FeatureVector)
export class FeatureHistoryResolver {
  @Query(() => [FeatureVector], {
    description:
      "One entity's feature values over event time, as known at knownAt (default now): a vector per event time, ascending, the newest `first` of them.",
  })
  featureHistory(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String) contract: string,
    @Arg('entity', () => GraphQLJSON, {
      description: 'Scalar for one-column keys, {column: value} for composite keys.',
    })
    entity: unknown,
    @Arg('version', () => String, { nullable: true, description: 'Exact version (1.2.0) or major (1).' })
    version?: string | null,
    @Arg('features', () => [String], { nullable: true }) features?: string[] | null,
    @Arg('knownAt', () => Date, { nullable: true }) knownAt?: Date | null,
    @Arg('environment', () => String, { nullable: true }) environment?: string | null,
    @Arg('first', () => Int, {
      nullable: true,
      description: 'How many event times (default 200, at most 500).',
    })
    first?: number | null,
  ): Promise<FeatureVector[]> {
    return ctx.services.features.history({
      contract,
      entity,
      version: given(version),
      features: given(features),
      knownAt: given(knownAt),
      environment: given(environment),
      first: given(first),
    });
  }
}

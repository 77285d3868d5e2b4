import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';
import { FeatureVector, EntityTimestampInput } from '../types/feature.type';
import type { GraphQLContext } from '../context';
import { given } from '../given';

@Resolver(() => FeatureVector)
export class FeatureResolver {
  @Query(() => [FeatureVector], {
    description:
      'Latest visible feature values per entity at or before asOf (default now), as known at knownAt.',
  })
  features(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String) contract: string,
    @Arg('entities', () => [GraphQLJSON]) entities: unknown[],
    @Arg('version', () => String, { nullable: true, description: 'Exact version (1.2.0) or major (1).' })
    version?: string | null,
    @Arg('features', () => [String], { nullable: true }) features?: string[] | null,
    @Arg('asOf', () => Date, { nullable: true }) asOf?: Date | null,
    @Arg('knownAt', () => Date, { nullable: true }) knownAt?: Date | null,
    @Arg('environment', () => String, { nullable: true }) environment?: string | null,
  ): Promise<FeatureVector[]> {
    return ctx.services.features.features({
      contract,
      version: given(version),
      entities,
      features: given(features),
      asOf: given(asOf),
      knownAt: given(knownAt),
      environment: given(environment),
    });
  }

  @Query(() => [FeatureVector], {
    description:
      'Point-in-time join: one vector per input row, in input order, with the latest values at or before its timestamp.',
  })
  trainingSet(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String) contract: string,
    @Arg('rows', () => [EntityTimestampInput]) rows: EntityTimestampInput[],
    @Arg('version', () => String, { nullable: true }) version?: string | null,
    @Arg('features', () => [String], { nullable: true }) features?: string[] | null,
    @Arg('ttl', () => String, {
      nullable: true,
      description: 'ISO-8601 duration: ignore values older than this.',
    })
    ttl?: string | null,
    @Arg('environment', () => String, { nullable: true }) environment?: string | null,
  ): Promise<FeatureVector[]> {
    return ctx.services.features.trainingSet({
      contract,
      version: given(version),
      rows,
      features: given(features),
      ttl: given(ttl),
      environment: given(environment),
    });
  }
}

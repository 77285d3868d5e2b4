import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';
import { FeatureVector, EntityTimestampInput } from '../types/feature.type';
import type { GraphQLContext } from '../context';
import { given } from '../given';
import { TrainingRow, TrainingViewInput } from '../types/training-set.type';

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
    @Arg('knownAt', () => Date, { nullable: true, description: 'As the store knew it at this time.' })
    knownAt?: Date | null,
  ): Promise<FeatureVector[]> {
    return ctx.services.features.trainingSet({
      contract,
      version: given(version),
      rows,
      features: given(features),
      ttl: given(ttl),
      knownAt: given(knownAt),
      environment: given(environment),
    });
  }

  @Query(() => [TrainingRow], {
    description:
      'Point-in-time join over several feature views: one row per spine row, in spine order, with the latest values of each view at or before its timestamp.',
  })
  trainingSetMulti(
    @Ctx() ctx: GraphQLContext,
    @Arg('rows', () => [EntityTimestampInput], {
      description:
        'The spine; entity is a scalar when every view has a one-column key, else {column: value}.',
    })
    rows: EntityTimestampInput[],
    @Arg('features', () => [String], { nullable: true, description: 'References contract:feature.' })
    features?: string[] | null,
    @Arg('views', () => [TrainingViewInput], { nullable: true }) views?: TrainingViewInput[] | null,
    @Arg('knownAt', () => Date, { nullable: true, description: 'As the store knew it at this time.' })
    knownAt?: Date | null,
    @Arg('fullFeatureNames', () => Boolean, {
      nullable: true,
      description: 'Name output columns contract__feature.',
    })
    fullFeatureNames?: boolean | null,
    @Arg('environment', () => String, { nullable: true }) environment?: string | null,
  ): Promise<TrainingRow[]> {
    return ctx.services.features.trainingSetMulti({
      rows,
      features: given(features),
      views: given(views),
      knownAt: given(knownAt),
      fullFeatureNames: given(fullFeatureNames),
      environment: given(environment),
    });
  }
}

import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { Run } from '../types/run.type';
import { ColumnProfile, ProfilePoint } from '../types/profile.type';
import type { GraphQLContext } from '../context';
import { given } from '../given';

/** Run profiles (issue 18): a run's column and feature profiles, and one name's history over runs. */
@Resolver(() => Run)
export class ProfileResolver {
  @FieldResolver(() => [ColumnProfile], {
    description:
      'Profiles of every column and feature over the rows the run stored (empty for runs that stored none).',
  })
  profile(@Root() run: Run, @Ctx() ctx: GraphQLContext): Promise<ColumnProfile[]> {
    return ctx.services.runs.profile(run.id);
  }

  @Query(() => [ProfilePoint], {
    description:
      "One column's or feature's profile in the last `last` committed runs of a contract and environment, oldest first.",
  })
  profileHistory(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String) contract: string,
    @Arg('name', () => String, { description: 'The column or feature name.' }) name: string,
    @Arg('environment', () => String, { nullable: true, description: 'Default dev.' })
    environment?: string | null,
    @Arg('kind', () => String, { nullable: true, description: 'column (default) or feature.' })
    kind?: string | null,
    @Arg('last', () => Int, { nullable: true, description: 'How many runs (default 30, at most 500).' })
    last?: number | null,
  ): Promise<ProfilePoint[]> {
    return ctx.services.runs.profileHistory({
      contract,
      name,
      environment: given(environment) ?? 'dev',
      kind: given(kind) ?? 'column',
      last: given(last) ?? 30,
    });
  }
}

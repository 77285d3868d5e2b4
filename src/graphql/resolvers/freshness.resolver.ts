import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Contract } from '../types/contract.type';
import { Freshness } from '../types/freshness.type';
import type { GraphQLContext } from '../context';
import type { FreshnessService } from '../../serving/freshness';

/** What the resolver needs from the services; createServices (context.ts) provides it as `freshness`. */
export type FreshnessReader = Pick<FreshnessService, 'forVersion'>;

@Resolver(() => Contract)
export class FreshnessResolver {
  @FieldResolver(() => [Freshness], {
    description: 'Freshness per environment where this version is active.',
  })
  async freshness(@Root() contract: Contract, @Ctx() ctx: GraphQLContext): Promise<Freshness[]> {
    const statuses = await readerOf(ctx).forVersion(contract.name, contract.version);
    return statuses.map((s) =>
      Object.assign(new Freshness(), {
        environment: s.environment,
        newestEventTime: s.newestEventTime === null ? null : new Date(s.newestEventTime),
        ageSeconds: s.ageSeconds,
        sla: s.sla,
        stale: s.stale,
      }),
    );
  }
}

function readerOf(ctx: GraphQLContext): FreshnessReader {
  const reader = (ctx.services as { freshness?: FreshnessReader }).freshness;
  // A wiring mistake, not a client error: it surfaces as INTERNAL and is logged.
  if (!reader) throw new Error('the freshness service is not wired into the GraphQL services');
  return reader;
}

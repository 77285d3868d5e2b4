import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { StreamStatus } from '../types/stream.type';
import type { GraphQLContext } from '../context';
import type { StreamService } from '../../streaming/stream.service';

@Resolver(() => StreamStatus)
export class StreamResolver {
  @Query(() => [StreamStatus], {
    description: 'Stream consumers of this server, by contract and environment.',
  })
  streams(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String, { nullable: true }) contract?: string,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
  ): StreamStatus[] {
    return serviceOf(ctx).status({ contract, environment });
  }

  @Authorized('admin')
  @Mutation(() => StreamStatus, {
    description:
      'Continues a paused stream: its failed micro-batch runs again under the active version, or with skip ' +
      'it is acknowledged without writing (its failed run keeps the raw batch for a reprocess).',
  })
  resumeStream(
    @Ctx() ctx: GraphQLContext,
    @Arg('contract', () => String) contract: string,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
    @Arg('skip', () => Boolean, { defaultValue: false }) skip?: boolean,
  ): Promise<StreamStatus> {
    return serviceOf(ctx).resume(contract, environment, { skip: skip ?? false, actor: ctx.actor });
  }
}

function serviceOf(ctx: GraphQLContext): StreamService {
  const service = (ctx.services as { streams?: StreamService }).streams;
  // A wiring mistake, not a client error: it surfaces as INTERNAL and is logged.
  if (!service) throw new Error('the stream service is not wired into the GraphQL services');
  return service;
}

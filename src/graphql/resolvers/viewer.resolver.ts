import { Ctx, Query, Resolver } from 'type-graphql';
import { Viewer } from '../types/viewer.type';
import type { GraphQLContext } from '../context';

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'The caller: its role decides which mutations it may call.' })
  viewer(@Ctx() ctx: GraphQLContext): Viewer {
    const p = ctx.principal;
    return Object.assign(new Viewer(), { actor: p.actor, role: p.role, keyId: p.keyId });
  }
}

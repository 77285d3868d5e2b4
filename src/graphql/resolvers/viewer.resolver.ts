import { Ctx, Query, Resolver } from 'type-graphql';
import { Viewer } from '../types/viewer.type';
import type { GraphQLContext } from '../context';
import { ROLES, roleAllows } from '../../domain/role';

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'Who is calling, and with which role.' })
  viewer(@Ctx() ctx: GraphQLContext): Viewer {
    const { actor, role, keyId } = ctx.principal;
    return Object.assign(new Viewer(), {
      actor,
      role,
      roles: [...ROLES].reverse().filter((r) => roleAllows(role, r)),
      keyId,
    });
  }
}

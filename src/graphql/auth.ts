/**
 * Access control for GraphQL (the HTTP middleware before Apollo is auth/http.ts).
 * Resolvers declare the role they need with @Authorized('writer' | 'admin');
 * every operation needs at least `reader`, which every principal has.
 */
import type { AuthChecker } from 'type-graphql';
import { ForbiddenError } from '../errors';
import { roleAllows, type Role } from '../domain/role';
import type { GraphQLContext } from './context';

export const authChecker: AuthChecker<GraphQLContext, Role> = ({ context }, roles) => {
  const need = roles[0] ?? 'reader';
  if (!roleAllows(context.principal.role, need)) {
    throw new ForbiddenError(
      `${context.principal.actor} has role ${context.principal.role}; this operation needs ${need}`,
    );
  }
  return true;
};

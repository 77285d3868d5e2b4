import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { AuditEntry } from '../types/audit.type';
import type { GraphQLContext } from '../context';

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Query(() => [AuditEntry], {
    description:
      'The audit trail, newest first. Entries about API keys (targetKind api_key) are shown to admins only.',
  })
  auditLog(
    @Ctx() ctx: GraphQLContext,
    @Arg('targetKind', () => String, { nullable: true }) targetKind?: string,
    @Arg('targetId', () => String, { nullable: true }) targetId?: string,
    @Arg('first', () => Int, { defaultValue: 50 }) first?: number,
  ): Promise<AuditEntry[]> {
    return ctx.services.audit.list({ targetKind, targetId, first: first ?? 50 }, ctx.principal);
  }
}

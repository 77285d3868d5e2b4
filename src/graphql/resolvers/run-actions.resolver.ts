import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Run } from '../types/run.type';
import { RollbackPreview } from '../types/run-actions.type';
import type { GraphQLContext } from '../context';

/** Run fields that tell a client what an action on the run would do before it is taken. */
@Resolver(() => Run)
export class RunActionsResolver {
  @FieldResolver(() => RollbackPreview, {
    description:
      'What rollbackRun would change now (rows hidden, later runs reprocessed), or why it is refused.',
  })
  async rollbackPreview(@Root() run: Run, @Ctx() ctx: GraphQLContext): Promise<RollbackPreview> {
    const preview = await ctx.services.runs.rollbackPreview(run.id);
    if (!preview) throw new Error(`run ${run.id} vanished while it was read`);
    return preview;
  }
}

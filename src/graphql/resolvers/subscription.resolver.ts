import { Arg, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { Run } from '../types/run.type';
import { toRunType } from '../mappers/run.mapper';
import type { Run as DomainRun } from '../../pipeline/run.types';
import type { GraphQLContext } from '../context';

interface RunFilterArgs {
  contract?: string | null;
  environment?: string | null;
}

/** Whether a run matches a subscription's arguments. */
export function runMatches(run: DomainRun, args: RunFilterArgs): boolean {
  return (
    (!args.contract || run.contractName === args.contract) &&
    (!args.environment || run.environment === args.environment)
  );
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => Run, {
    // One source subscription per process fans out to every subscriber (run-events-fanout.ts).
    subscribe: ({ args, context }: SubscribeResolverData<unknown, RunFilterArgs, GraphQLContext>) =>
      context.services.runStatus.subscribe((run) => runMatches(run, args)),
    description: 'Every status change of matching runs, in order, with the run’s counts.',
  })
  runStatusChanged(
    @Root() run: DomainRun,
    @Arg('contract', () => String, { nullable: true }) _contract?: string,
    @Arg('environment', () => String, { nullable: true }) _environment?: string,
  ): Run {
    return toRunType(run);
  }
}

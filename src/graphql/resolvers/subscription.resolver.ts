import { Arg, Resolver, Root, Subscription, type SubscriptionHandlerData } from 'type-graphql';
import { Run } from '../types/run.type';
import { toRunType } from '../mappers/run.mapper';
import type { Run as DomainRun } from '../../pipeline/run.types';
import { RUN_STATUS_TOPIC } from '../pubsub';

interface RunFilterArgs {
  contract?: string | null;
  environment?: string | null;
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => Run, {
    topics: RUN_STATUS_TOPIC,
    filter: ({ payload, args }: SubscriptionHandlerData<DomainRun, RunFilterArgs>) =>
      (!args.contract || payload.contractName === args.contract) &&
      (!args.environment || payload.environment === args.environment),
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

import { Arg, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { Run } from '../types/run.type';
import { toRunType } from '../mappers/run.mapper';
import type { Run as DomainRun } from '../../domain/run';
import type { RunEvent } from '../../store/run-event-log';
import { parseCursor, replayThenLive } from '../../events/run-event-replay';
import type { GraphQLContext } from '../context';

interface RunFilterArgs {
  contract?: string | null;
  environment?: string | null;
  after?: string | null;
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
    // One reader of the event log per process fans out to every subscriber (run-events-fanout.ts);
    // `after` replays the missed events from the log first (run-event-replay.ts).
    subscribe: ({ args, context }: SubscribeResolverData<unknown, RunFilterArgs, GraphQLContext>) => {
      const after = parseCursor(args.after);
      const { runStatus, runEvents } = context.services;
      const filter = { contract: args.contract, environment: args.environment };
      return replayThenLive(runEvents, runStatus, (run) => runMatches(run, args), after, filter);
    },
    description:
      'Every status change of matching runs, whichever process made it, in order, with the run’s counts. Each carries `eventCursor`; pass the last one received as `after` to replay what was missed, then continue live, without duplicates.',
  })
  runStatusChanged(
    @Root() run: RunEvent,
    @Arg('contract', () => String, { nullable: true }) _contract?: string,
    @Arg('environment', () => String, { nullable: true }) _environment?: string,
    @Arg('after', () => String, {
      nullable: true,
      description: 'Resume after this event cursor (the `eventCursor` of the last event received).',
    })
    _after?: string,
  ): Run {
    return Object.assign(toRunType(run), { eventCursor: run.eventCursor ?? null });
  }
}

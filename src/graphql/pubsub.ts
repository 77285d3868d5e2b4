/**
 * The GraphQL pubsub, fed by the engine's run event bus. In-memory by default; the
 * same interface takes a Redis event target for several instances.
 */
import { createPubSub } from '@graphql-yoga/subscription';
import type { Run } from '../pipeline/run.types';
import type { RunEventBus } from '../events/run-events';

export const RUN_STATUS_TOPIC = 'RUN_STATUS';

export type TidemarkPubSub = ReturnType<typeof createTidemarkPubSub>;

export function createTidemarkPubSub() {
  return createPubSub<{ [RUN_STATUS_TOPIC]: [Run] }>();
}

/** Forwards every run event to subscribers; returns the unsubscribe function. */
export function bridgeRunEvents(bus: RunEventBus, pubSub: TidemarkPubSub): () => void {
  return bus.subscribe((run) => pubSub.publish(RUN_STATUS_TOPIC, run));
}

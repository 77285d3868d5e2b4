/**
 * The GraphQL pubsub, fed by the engine's run event bus. In-memory by default; the
 * same interface takes a Redis event target for several instances.
 */
import { setMaxListeners } from 'node:events';
import { createPubSub } from '@graphql-yoga/subscription';
import type { Run } from '../domain/run';
import type { RunEventBus } from '../pipeline/run-events';
import type { RedisTransport } from '../events/pubsub-transport';

type RedisEventTarget = RedisTransport['eventTarget'];

export const RUN_STATUS_TOPIC = 'RUN_STATUS';

export type TidemarkPubSub = ReturnType<typeof createTidemarkPubSub>;

/** In memory by default; pass a Redis event target to span several instances. */
export function createTidemarkPubSub(eventTarget?: RedisEventTarget) {
  if (eventTarget) return createPubSub<{ [RUN_STATUS_TOPIC]: [Run] }>({ eventTarget });
  // Every subscription is one listener; Node's default cap of 10 is a leak warning, not a limit.
  const local = new EventTarget();
  setMaxListeners(0, local);
  return createPubSub<{ [RUN_STATUS_TOPIC]: [Run] }>({ eventTarget: local as unknown as RedisEventTarget });
}

/** Forwards every run event to subscribers; returns the unsubscribe function. */
export function bridgeRunEvents(bus: RunEventBus, pubSub: TidemarkPubSub): () => void {
  return bus.subscribe((run) => pubSub.publish(RUN_STATUS_TOPIC, run));
}

/**
 * Where GraphQL subscription events travel: in memory (one instance), or through
 * Redis so that an event published by the instance running a job reaches
 * subscribers connected to any instance. Redis going away never blocks a run:
 * ioredis reconnects on its own, and publishing is fire-and-forget.
 *
 * Channels are `<prefix><topic>` (config.eventsPrefix, `tidemark:<database>:` by
 * default), so deployments sharing a Redis do not see each other's events.
 * Delivery is at most once: an event published while a subscribing instance is
 * disconnected from Redis may be lost, so clients re-read `runs` after their
 * subscription reconnects.
 */
import { Redis } from 'ioredis';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Logger } from 'pino';

export interface RedisTransport {
  eventTarget: ReturnType<typeof createRedisEventTarget>;
  close(): Promise<void>;
}

export function createRedisTransport(
  url: string,
  logger: Logger,
  channelPrefix = 'tidemark:',
): RedisTransport {
  const options = {
    // Keep retrying with a capped backoff; never give up on a long outage.
    retryStrategy: (times: number) => Math.min(times * 200, 5_000),
    maxRetriesPerRequest: null,
    // While Redis is down, publishes wait in the offline queue and go out on reconnect.
    enableOfflineQueue: true,
    lazyConnect: false,
  };
  const publishClient = new Redis(url, options);
  const subscribeClient = new Redis(url, options);
  for (const [name, client] of [
    ['publish', publishClient],
    ['subscribe', subscribeClient],
  ] as const) {
    client.on('error', (err) =>
      logger.warn({ client: name, error: err.message }, 'redis pubsub connection error'),
    );
    client.on('ready', () => logger.info({ client: name, channelPrefix }, 'redis pubsub connected'));
  }
  return {
    eventTarget: withChannelPrefix(createRedisEventTarget({ publishClient, subscribeClient }), channelPrefix),
    close: async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}

type EventTargetLike = ReturnType<typeof createRedisEventTarget>;

/** The same event target on `<prefix><topic>` channels; listeners and publishers keep using bare topics. */
export function withChannelPrefix(target: EventTargetLike, prefix: string): EventTargetLike {
  if (!prefix) return target;
  return {
    addEventListener: (topic, listener, options) =>
      target.addEventListener(prefix + topic, listener, options),
    removeEventListener: (topic, listener, options) =>
      target.removeEventListener(prefix + topic, listener, options),
    dispatchEvent: (event) =>
      target.dispatchEvent(new CustomEvent(prefix + event.type, { detail: (event as CustomEvent).detail })),
  };
}

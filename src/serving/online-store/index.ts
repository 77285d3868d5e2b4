/**
 * TIDEMARK_ONLINE_STORE=redis: "as of now" feature reads answered from Redis, kept equal
 * to the bitemporal store by following the run event log. `reads` serves (online-reads.ts);
 * `start()` begins syncing (online-sync.ts), which `serve` does: a CLI command reads
 * through Redis when it is current, but leaves the syncing to the servers.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../observability/logger';
import type { Metrics } from '../../observability/metrics';
import type { Store } from '../../store/store';
import type { RunEventBus } from '../../pipeline/run-events';
import { OnlineSource } from './online-source';
import { OnlineWriter } from './redis-writer';
import { OnlineSync } from './online-sync';
import { RedisOnlineReads, onlineReadsCounter, type OnlineReads } from './online-reads';

export type { OnlineReads } from './online-reads';

/** How often a server looks for new run events when none of its own woke it. */
const SYNC_INTERVAL_MS = 100;
/** A Redis that does not answer within this is treated as down: the read goes to SQL. */
const COMMAND_TIMEOUT_MS = 500;
/** How long the first reads of a process wait for the first connection. */
const CONNECT_WAIT_MS = 1_000;

export interface OnlineStore {
  reads: OnlineReads;
  sync: OnlineSync;
  /** Starts syncing (catch-up or rebuild, then following the log). */
  start(): void;
  close(): Promise<void>;
}

export function openOnlineStore(deps: {
  redisUrl: string;
  prefix: string;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  events: RunEventBus;
  syncIntervalMs?: number;
}): OnlineStore {
  const redis = new Redis(deps.redisUrl, {
    // Never queue commands while disconnected: a read must fall back at once, not wait.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let reported = false;
  redis.on('error', (err: Error) => {
    // ioredis reports every failed reconnect: once per outage is enough.
    if (!reported) deps.logger.warn({ err: err.message }, 'online store: Redis connection error');
    reported = true;
  });
  const source = new OnlineSource(deps.store);
  const writer = new OnlineWriter(redis, deps.prefix);
  const sync = new OnlineSync({
    source,
    writer,
    logger: deps.logger,
    intervalMs: deps.syncIntervalMs ?? SYNC_INTERVAL_MS,
  });
  redis.on('ready', () => {
    reported = false;
    sync.reconnected();
  });
  // This process's own runs: applied at once rather than at the next interval.
  const off = deps.events.subscribe((run) => {
    if (run.status === 'succeeded' || run.status === 'rolled_back' || run.status === 'superseded')
      sync.wake();
  });
  const connected = new Promise<void>((ok) => {
    redis.once('ready', ok);
    redis.once('error', () => ok()); // refused: read SQL at once
    setTimeout(ok, CONNECT_WAIT_MS).unref();
  });
  const reads = new RedisOnlineReads({
    connected,
    redis,
    keys: writer.keys,
    latestCursor: () => source.latestCursor(),
    logger: deps.logger,
    counter: onlineReadsCounter(deps.metrics.registry),
  });
  return {
    reads,
    sync,
    start: () => sync.start(),
    close: async () => {
      off();
      await sync.stop();
      redis.disconnect();
    },
  };
}

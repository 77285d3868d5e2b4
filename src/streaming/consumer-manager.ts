/**
 * Starts and stops stream consumers with contract activation, like cron schedules:
 * one consumer per (contract, environment) whose active version reads from a `nats`
 * or `redis-stream` source (the newest active version, as for triggers). `refresh()`
 * reconciles with the registry: a new version with the same source keeps its
 * consumer (later micro-batches run under it; committed positions are per contract,
 * environment and source, so nothing is read twice); a changed source restarts it; a
 * retired contract stops it.
 *
 * Stop the manager before the runtime closes: a micro-batch in flight needs the
 * dispatcher to finish and be acknowledged.
 */
import type { Logger } from 'pino';
import type { Clock, IdGenerator } from '../clock';
import type { Environment } from '../domain/environment';
import type { RegisteredContract } from '../domain/registered-contract';
import { NotFoundError } from '../errors';
import type { RunExecutor } from '../pipeline/executor';
import type { RawStore } from '../pipeline/raw-store';
import type { RunQueue } from '../pipeline/run.service';
import { triggerableContracts, type ActiveContractSource } from '../scheduling/cron-scheduler';
import type { Store } from '../store/store';
import { MicroBatchRunner } from './micro-batch';
import { NatsAdapter } from './nats.adapter';
import type { BrokerKind } from '../domain/stream-positions';
import { RedisStreamAdapter } from './redis-stream.adapter';
import { StreamConsumer } from './stream-consumer';
import {
  noStreamMetrics,
  type BrokerAdapter,
  type StreamHooks,
  type StreamMetrics,
  type StreamStatus,
} from '../domain/stream';

export interface StreamManagerDeps {
  registry: ActiveContractSource;
  store: Store;
  rawStore: RawStore;
  executor: Pick<RunExecutor, 'enqueue'>;
  dispatcher: RunQueue;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
}

export interface StreamManagerOptions {
  /** NATS servers (e.g. nats://127.0.0.1:4222); nats contracts report an error without it. */
  natsUrl?: string | null;
  /** Redis URL; redis-stream contracts report an error without it. */
  redisUrl?: string | null;
  /** At most this many messages per consumer in memory, unacknowledged (default 1000). */
  maxInFlight?: number;
  /** JetStream ack wait (default 60 s). */
  ackWaitMs?: number;
  /** How often the broker is asked for the lag (default 5 s). */
  lagIntervalMs?: number;
  /** First delay before a broken broker session is reopened (default 1 s, doubling up to 30 s). */
  restartDelayMs?: number;
  /** Name of this process inside Redis consumer groups (default `tidemark`). */
  redisConsumerName?: string;
  metrics?: StreamMetrics;
  hooks?: StreamHooks;
  /** Replaces the adapter of a broker (tests, other transports). */
  adapters?: Partial<Record<BrokerKind, BrokerAdapter>>;
}

const STREAM_SOURCES = new Set<string>(['nats', 'redis-stream']);

export class StreamConsumerManager {
  private readonly consumers = new Map<string, StreamConsumer>();
  private readonly runner: MicroBatchRunner;
  private readonly adapters: Record<BrokerKind, BrokerAdapter>;
  private queue: Promise<void> = Promise.resolve();
  private running = false;

  constructor(
    private readonly deps: StreamManagerDeps,
    private readonly options: StreamManagerOptions = {},
  ) {
    this.runner = new MicroBatchRunner(deps);
    this.adapters = {
      nats:
        options.adapters?.nats ??
        adapterOrError(
          'NATS',
          options.natsUrl,
          (servers) => new NatsAdapter({ servers, ackWaitMs: options.ackWaitMs }),
        ),
      'redis-stream':
        options.adapters?.['redis-stream'] ??
        adapterOrError(
          'Redis',
          options.redisUrl,
          (url) => new RedisStreamAdapter({ url, consumerName: options.redisConsumerName }),
        ),
    };
  }

  /** Starts the consumers of the active versions; rejects when the registry cannot be read. */
  async start(): Promise<void> {
    this.running = true;
    await this.serialized(() => this.reconcile());
  }

  /** Reconciles with the registry; never rejects (a failure is logged), so it can be a contracts-changed listener. */
  async refresh(): Promise<void> {
    await this.serialized(() => this.reconcile()).catch((err: unknown) =>
      this.deps.logger.error({ err }, 'stream consumers not refreshed'),
    );
  }

  /** Stops every consumer: micro-batches in flight commit and are acknowledged, the rest is redelivered later. */
  async stop(): Promise<void> {
    this.running = false;
    await this.queue;
    await Promise.all([...this.consumers.values()].map((c) => c.stop()));
    this.consumers.clear();
  }

  status(filter: { contract?: string; environment?: string } = {}): StreamStatus[] {
    return [...this.consumers.values()]
      .filter(
        (c) =>
          (!filter.contract || c.contractName === filter.contract) &&
          (!filter.environment || c.environment === filter.environment),
      )
      .map((c) => c.status())
      .sort((a, b) => a.contract.localeCompare(b.contract) || a.environment.localeCompare(b.environment));
  }

  /** Continues a paused consumer (see StreamConsumer.resume); answers its status. */
  async resume(
    contract: string,
    environment: Environment,
    opts: { skip?: boolean; actor: string },
  ): Promise<StreamStatus> {
    const consumer = this.consumers.get(keyOf(environment, contract));
    if (!consumer) throw new NotFoundError(`contract '${contract}' has no stream consumer in ${environment}`);
    await consumer.resume(opts);
    return consumer.status();
  }

  private serialized(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reconcile(): Promise<void> {
    if (!this.running) return;
    const wanted = new Map<string, { environment: Environment; contract: RegisteredContract }>();
    for (const c of await triggerableContracts(this.deps.registry)) {
      if (STREAM_SOURCES.has(c.contract.contract.source.type))
        wanted.set(keyOf(c.environment, c.contract.name), c);
    }
    for (const [key, consumer] of this.consumers) {
      const w = wanted.get(key);
      if (w && sameSource(consumer, w.contract)) {
        consumer.setContract(w.contract);
        continue;
      }
      this.consumers.delete(key);
      await consumer.stop();
      this.deps.logger.info(
        { contract: consumer.contractName, environment: consumer.environment, source: consumer.source },
        'stream consumer stopped',
      );
    }
    for (const [key, w] of wanted) {
      if (this.consumers.has(key)) continue;
      const consumer = this.create(w.contract, w.environment);
      this.consumers.set(key, consumer);
      consumer.start();
      this.deps.logger.info(
        {
          contract: w.contract.name,
          version: w.contract.version,
          environment: w.environment,
          source: consumer.source,
        },
        'stream consumer started',
      );
    }
  }

  private create(contract: RegisteredContract, environment: Environment): StreamConsumer {
    const o = this.options;
    return new StreamConsumer(contract, environment, {
      runner: this.runner,
      store: this.deps.store,
      dispatcher: this.deps.dispatcher,
      adapter: this.adapters[contract.contract.source.type as BrokerKind],
      clock: this.deps.clock,
      logger: this.deps.logger,
      metrics: o.metrics ?? noStreamMetrics,
      hooks: o.hooks ?? {},
      options: {
        maxInFlight: o.maxInFlight ?? 1000,
        lagIntervalMs: o.lagIntervalMs ?? 5000,
        restartDelayMs: o.restartDelayMs ?? 1000,
      },
    });
  }
}

function keyOf(environment: string, contract: string): string {
  return `${environment}\u0000${contract}`;
}

function sameSource(consumer: StreamConsumer, contract: RegisteredContract): boolean {
  const s = contract.contract.source;
  return s.type === consumer.broker && (s.type === 'nats' ? s.subject : s.stream) === consumer.endpoint;
}

/** An adapter, or one whose sessions fail with the missing setting (shown in the status, retried). */
function adapterOrError(
  broker: string,
  url: string | null | undefined,
  make: (url: string) => BrokerAdapter,
): BrokerAdapter {
  if (url) return make(url);
  return {
    open: async () => {
      throw new Error(`no ${broker} server is configured for stream consumers`);
    },
  };
}

/**
 * The shapes the streaming module shares: what a broker adapter offers the consumer,
 * what the consumer reports, and the metrics hook the server binds to prom-client.
 * Adapters (nats.adapter.ts, redis-stream.adapter.ts) are the only files that know a
 * broker's client library.
 */
import type { Environment } from './environment';
import type { BrokerKind } from './stream-positions';

/** One message as the consumer sees it, whatever the broker. */
export interface BrokerMessage {
  /** Stream sequence (NATS) or entry id (Redis): see positions.ts. */
  position: string;
  /** The message body (a JSON record), or null when the message carries none. */
  payload: string | null;
  /** The adapter's own handle, used to acknowledge the message. */
  readonly handle: unknown;
}

/** How far behind the consumer is, as the broker reports it. */
export interface BrokerLag {
  /** Messages the broker holds for the consumer and has not delivered yet. */
  lag: number | null;
  /** Messages delivered and not acknowledged yet. */
  unacknowledged: number | null;
}

/**
 * A connection to one consumer at the broker, positioned right after a committed
 * position. Deliveries are in position order within a session; a session that cannot
 * promise that any more (a lost delivery, a dropped connection) fails its `pull`, and
 * the consumer opens a new one from the committed position.
 */
export interface BrokerSession {
  /** Hands up to `max` messages to `deliver` as they arrive; resolves after about a second at most. */
  pull(max: number, deliver: (m: BrokerMessage) => void): Promise<void>;
  ack(messages: BrokerMessage[]): Promise<void>;
  lag(): Promise<BrokerLag>;
  readonly connected: boolean;
  /** The broker-side names, for the positions a raw batch records. */
  readonly stream: string;
  readonly consumer: string;
  close(): Promise<void>;
}

/** What a consumer needs to know to open its broker session. */
export interface ConsumerTarget {
  contract: string;
  environment: Environment;
  broker: BrokerKind;
  /** NATS subject, or Redis stream key. */
  endpoint: string;
  /** At most this many unacknowledged messages (the broker enforces it too, where it can). */
  maxInFlight: number;
}

export interface BrokerAdapter {
  /** Opens a session that delivers the messages after `committed` (all of them when null). */
  open(target: ConsumerTarget, committed: string | null): Promise<BrokerSession>;
}

/** One consumer's state, as GraphQL and the logs show it. */
export interface StreamStatus {
  contract: string;
  contractVersion: string;
  environment: Environment;
  source: BrokerKind;
  /** NATS subject, or Redis stream key. */
  endpoint: string;
  /** Durable consumer name (NATS) or consumer group (Redis); null until connected once. */
  consumer: string | null;
  connected: boolean;
  /** The committed position: the last message whose rows are stored. */
  lastPosition: string | null;
  /** Broker-reported messages not delivered to the consumer yet; null when unknown. */
  lag: number | null;
  /** Broker-reported messages delivered and not acknowledged; null when unknown. */
  unacknowledged: number | null;
  /** Messages held in memory, not yet committed and acknowledged. */
  inMemory: number;
  /** The last micro-batch run (while paused: the run that failed). */
  lastRunId: string | null;
  paused: boolean;
  error: string | null;
  /** What the micro-batch in flight waits for (another run holding its lane), or null. */
  waitingFor: string | null;
}

/**
 * Counters the server binds to prom-client (or anything else); the streaming module
 * never imports a metrics library.
 */
export interface StreamMetrics {
  /** Messages taken from the broker into committed micro-batches. */
  consumed(contract: string, environment: Environment, count: number): void;
  /** Rows of committed micro-batches that went to the rejects (unparseable or rejected by a check). */
  rejected(contract: string, environment: Environment, count: number): void;
  /** The broker-reported lag; null when unknown. */
  lag(contract: string, environment: Environment, lag: number | null): void;
}

export const noStreamMetrics: StreamMetrics = {
  consumed: () => undefined,
  rejected: () => undefined,
  lag: () => undefined,
};

/** Test seams. */
export interface StreamHooks {
  /**
   * Called after a micro-batch's run committed and before its messages are
   * acknowledged. Throwing here stands for a process killed at that instant: the
   * consumer drops its session without acknowledging and starts over.
   */
  afterCommit?(info: {
    contract: string;
    environment: Environment;
    runId: string;
    from: string;
    to: string;
  }): Promise<void> | void;
}

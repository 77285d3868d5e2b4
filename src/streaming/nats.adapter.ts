/**
 * NATS JetStream: a durable pull consumer (explicit acks) on the contract's subject,
 * in the stream that captures it (streams are the operator's: Tidemark finds, never
 * creates, them). One connection per consumer session.
 *
 * - Durable name `tidemark_<contract>_<environment>`; `max_ack_pending` = maxInFlight.
 * - Opening a session positions the consumer right after the committed position.
 *   A consumer left with unacknowledged deliveries (a crash, a stop with messages in
 *   memory) or delivered past the committed position is recreated to start there,
 *   because JetStream would otherwise hand out newer messages before redelivering
 *   the older ones, and committing those first would skip the older ones for good.
 * - Deliveries carry a consumer sequence that grows by one per delivery; a gap means a
 *   delivery was lost (e.g. a reconnect mid-pull), so `pull` fails and the session is
 *   reopened from the committed position.
 * - Lag is the consumer's `num_pending` (not yet delivered), plus `num_ack_pending`.
 * - Streams with interest retention are refused: deleting the consumer to recreate it
 *   would let JetStream drop the messages kept for it. Limits (the default) and
 *   workqueue retention are fine.
 * - On a workqueue stream JetStream accepts only consumers that deliver all, and needs
 *   no start position: an acknowledged message is gone from the stream, so "all" is
 *   exactly what was not acknowledged yet. Messages committed but not acknowledged (a
 *   crash between the two) are delivered again and skipped by the consumer's committed
 *   position, as on a limits stream.
 */
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type {
  BrokerAdapter,
  BrokerLag,
  BrokerMessage,
  BrokerSession,
  ConsumerTarget,
} from '../domain/stream';

export interface NatsAdapterOptions {
  servers: string;
  /** How long JetStream waits for an ack before redelivering (default 60 s). */
  ackWaitMs?: number;
}

/** JetStream refuses pulls that expire sooner. */
const PULL_EXPIRES_MS = 1000;

export function natsConsumerName(t: Pick<ConsumerTarget, 'contract' | 'environment'>): string {
  return `tidemark_${t.contract}_${t.environment}`;
}

export class NatsAdapter implements BrokerAdapter {
  constructor(private readonly opts: NatsAdapterOptions) {}

  async open(target: ConsumerTarget, committed: string | null): Promise<BrokerSession> {
    const nc = await connect({
      servers: this.opts.servers,
      name: natsConsumerName(target),
      maxReconnectAttempts: -1,
    });
    try {
      const jsm = await jetstreamManager(nc);
      const { stream, workqueue } = await findStream(jsm, target.endpoint);
      const name = natsConsumerName(target);
      const config = this.consumerConfig(target, name, workqueue ? null : committed);
      const info = await ensureConsumer(jsm, stream, config, committed);
      const consumer = await jetstream(nc).consumers.get(stream, name);
      return new NatsSession(nc, consumer, stream, name, info.delivered.consumer_seq + 1);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** `after` null: deliver all the stream holds (the only choice on a workqueue stream). */
  private consumerConfig(t: ConsumerTarget, name: string, after: string | null): Partial<ConsumerConfig> {
    const start =
      after === null
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Number(after) + 1 };
    return {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      filter_subject: t.endpoint,
      ack_wait: nanos(this.opts.ackWaitMs ?? 60_000),
      max_ack_pending: t.maxInFlight,
      ...start,
    };
  }
}

async function findStream(
  jsm: JetStreamManager,
  subject: string,
): Promise<{ stream: string; workqueue: boolean }> {
  let stream: string;
  try {
    stream = await jsm.streams.find(subject);
  } catch (err) {
    const why = (err as Error).message;
    throw new Error(`no JetStream stream captures subject '${subject}': ${why}`, { cause: err });
  }
  // Recreating the consumer would let an interest-retention stream drop what it holds for it.
  const { config } = await jsm.streams.info(stream);
  if (config.retention === RetentionPolicy.Interest) {
    throw new Error(
      `JetStream stream '${stream}' uses interest retention; use limits or workqueue retention`,
    );
  }
  return { stream, workqueue: config.retention === RetentionPolicy.Workqueue };
}

/** The durable consumer, as it is when it may be reused, else recreated after the committed position. */
async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig>,
  committed: string | null,
): Promise<ConsumerInfo> {
  const name = config.durable_name!;
  const info = await jsm.consumers.info(stream, name).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return null;
    throw err;
  });
  if (info && reusable(info, config, committed)) return info;
  if (info) await jsm.consumers.delete(stream, name);
  return jsm.consumers.add(stream, config);
}

function reusable(info: ConsumerInfo, config: Partial<ConsumerConfig>, committed: string | null): boolean {
  const c = info.config;
  const sameConfig =
    c.filter_subject === config.filter_subject &&
    c.ack_wait === config.ack_wait &&
    c.max_ack_pending === config.max_ack_pending &&
    c.ack_policy === AckPolicy.Explicit;
  // Nothing outstanding and nothing delivered past what is stored: the next delivery is the next message.
  return sameConfig && info.num_ack_pending === 0 && info.delivered.stream_seq <= Number(committed ?? 0);
}

class NatsSession implements BrokerSession {
  private disconnected = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: Consumer,
    readonly stream: string,
    readonly consumer: string,
    private nextDelivery: number,
  ) {
    void this.watch();
  }

  get connected(): boolean {
    return !this.nc.isClosed() && !this.disconnected;
  }

  async pull(max: number, deliver: (m: BrokerMessage) => void): Promise<void> {
    const messages = await this.js.fetch({ max_messages: max, expires: PULL_EXPIRES_MS });
    for await (const m of messages) {
      const delivery = m.info.deliverySequence;
      if (delivery !== this.nextDelivery) {
        messages.stop();
        throw new Error(
          `JetStream delivery ${this.nextDelivery} was lost (got ${delivery}); resynchronising`,
        );
      }
      this.nextDelivery = delivery + 1;
      deliver({ position: String(m.seq), payload: m.string(), handle: m });
    }
  }

  async ack(messages: BrokerMessage[]): Promise<void> {
    for (const m of messages) (m.handle as JsMsg).ack();
    // The acks are plain publishes: a flush makes sure the server has them.
    await this.nc.flush();
  }

  async lag(): Promise<BrokerLag> {
    const info = await this.js.info(false);
    return { lag: info.num_pending, unacknowledged: info.num_ack_pending };
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private async watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === 'disconnect') this.disconnected = true;
      if (s.type === 'reconnect') this.disconnected = false;
    }
  }
}

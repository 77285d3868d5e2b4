/**
 * Redis Streams: a consumer group on the contract's stream key (ioredis). Each entry
 * carries its JSON record in the field `data`.
 *
 * - Group `tidemark_<contract>_<environment>`, created at the committed position (or
 *   the stream's start); consumer name `tidemark` unless configured.
 * - Opening a session first claims every entry pending in the group (a crashed
 *   process's or another consumer name's) and re-reads them from the pending list in
 *   id order, before any new entry: committed ones are acknowledged and skipped by
 *   the consumer, the others are processed before anything newer.
 * - A group whose last delivered id is past the committed position with nothing
 *   pending (entries acknowledged but not stored) is set back to it.
 * - Two connections per session: one blocks in XREADGROUP, the other acknowledges and
 *   reads the lag. Neither reconnects or resends on its own: a broken connection ends
 *   the session and the consumer reopens from the committed position.
 * - Lag is XINFO GROUPS `lag` (Redis 7+; null when Redis cannot tell) and `pending`.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { comparePositions } from '../domain/stream-positions';
import type {
  BrokerAdapter,
  BrokerLag,
  BrokerMessage,
  BrokerSession,
  ConsumerTarget,
} from '../domain/stream';

export interface RedisStreamAdapterOptions {
  url: string;
  /** Consumer name inside the group (default `tidemark`). */
  consumerName?: string;
}

const BLOCK_MS = 1000;
const PAYLOAD_FIELD = 'data';

type Entry = [id: string, fields: string[] | null];
type ReadReply = Array<[key: string, entries: Entry[]]> | null;

export function redisGroupName(t: Pick<ConsumerTarget, 'contract' | 'environment'>): string {
  return `tidemark_${t.contract}_${t.environment}`;
}

const CLIENT_OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  retryStrategy: () => null,
};

export class RedisStreamAdapter implements BrokerAdapter {
  constructor(private readonly opts: RedisStreamAdapterOptions) {}

  async open(target: ConsumerTarget, committed: string | null): Promise<BrokerSession> {
    const commands = new Redis(this.opts.url, CLIENT_OPTIONS);
    const reader = new Redis(this.opts.url, CLIENT_OPTIONS);
    const session = new RedisSession(
      commands,
      reader,
      target.endpoint,
      redisGroupName(target),
      this.opts.consumerName ?? 'tidemark',
    );
    try {
      await Promise.all([commands.connect(), reader.connect()]);
      await session.prepare(committed);
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }
}

class RedisSession implements BrokerSession {
  /** Reading the pending list from this id; null once it is exhausted and new entries are read. */
  private cursor: string | null = '0';

  constructor(
    private readonly commands: Redis,
    private readonly reader: Redis,
    readonly stream: string,
    readonly consumer: string,
    private readonly member: string,
  ) {
    // Errors surface through the failing command; the event must still be handled.
    for (const c of [commands, reader]) c.on('error', () => undefined);
  }

  get connected(): boolean {
    return this.commands.status === 'ready' && this.reader.status === 'ready';
  }

  async prepare(committed: string | null): Promise<void> {
    try {
      await this.commands.call('XGROUP', 'CREATE', this.stream, this.consumer, committed ?? '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
    await this.claimPending();
    const group = await this.groupInfo();
    const last = String(group['last-delivered-id'] ?? '0-0');
    if (Number(group.pending ?? 0) === 0 && comparePositions(last, committed ?? '0') > 0) {
      await this.commands.call('XGROUP', 'SETID', this.stream, this.consumer, committed ?? '0');
    }
  }

  async pull(max: number, deliver: (m: BrokerMessage) => void): Promise<void> {
    const from = this.cursor ?? '>';
    const block = this.cursor === null ? ['BLOCK', String(BLOCK_MS)] : [];
    const args = [
      'GROUP',
      this.consumer,
      this.member,
      'COUNT',
      String(max),
      ...block,
      'STREAMS',
      this.stream,
      from,
    ];
    const reply = (await this.reader.call('XREADGROUP', ...args)) as ReadReply;
    const entries = reply?.[0]?.[1] ?? [];
    if (this.cursor !== null && entries.length === 0) this.cursor = null;
    for (const [id, fields] of entries) {
      if (this.cursor !== null) this.cursor = id;
      // A pending entry deleted from the stream since: nothing left to read.
      if (fields === null) await this.commands.call('XACK', this.stream, this.consumer, id);
      else deliver({ position: id, payload: payloadOf(fields), handle: id });
    }
  }

  async ack(messages: BrokerMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 1000) {
      const ids = messages.slice(i, i + 1000).map((m) => m.handle as string);
      await this.commands.call('XACK', this.stream, this.consumer, ...ids);
    }
  }

  async lag(): Promise<BrokerLag> {
    const g = await this.groupInfo();
    const lag = g.lag === null || g.lag === undefined ? null : Number(g.lag);
    return { lag, unacknowledged: Number(g.pending ?? 0) };
  }

  async close(): Promise<void> {
    this.reader.disconnect();
    this.commands.disconnect();
  }

  /** Moves every pending entry of the group to this consumer, so the pending read sees them all. */
  private async claimPending(): Promise<void> {
    let start = '0-0';
    do {
      const reply = (await this.commands.call(
        'XAUTOCLAIM',
        this.stream,
        this.consumer,
        this.member,
        '0',
        start,
        'COUNT',
        '1000',
        'JUSTID',
      )) as [string, unknown[]];
      start = reply[0];
    } while (start !== '0-0');
  }

  private async groupInfo(): Promise<Record<string, unknown>> {
    const groups = (await this.commands.call('XINFO', 'GROUPS', this.stream)) as unknown[][];
    for (const flat of groups) {
      const g: Record<string, unknown> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) g[String(flat[i])] = flat[i + 1];
      if (g.name === this.consumer) return g;
    }
    throw new Error(`consumer group ${this.consumer} of stream ${this.stream} vanished`);
  }
}

function payloadOf(fields: string[]): string | null {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === PAYLOAD_FIELD) return fields[i + 1]!;
  return null;
}

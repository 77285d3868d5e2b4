/**
 * The "as of now" read from Redis. Consistency: a read is served from Redis only when
 * the cursor Redis has applied is at least the newest event in the run event log, read
 * after the request arrived; otherwise it goes to SQL. A mutation (commit, rollback,
 * reprocess) writes its event in its own transaction, so once it has returned its event
 * is in the log, and a later read either sees Redis past it or falls back to SQL:
 * never stale. This was chosen over making mutations wait for Redis because it holds
 * for a mutation made by any process (a CLI run, another instance, the sweep) and
 * keeps mutations independent of Redis being up; the price, one `max(id)` index probe
 * per read, is shared by concurrent reads (latest-cursor.ts). The cursor and the
 * entity keys are read in one MULTI, so a rebuild or a sync write between the two is
 * never half seen.
 *
 * A stored row with an event time after `now` (data from the future) is not what SQL
 * would serve yet: such a read goes to SQL too. Redis unreachable: SQL, with a
 * warning logged once per outage and the fallback counted.
 */
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../observability/logger';
import type { FeatureView, MatchedRow } from '../../store/feature-rows.types';
import { decodeRow, parseStoredCursor, type OnlineKeys } from './keys';
import { LatestCursor } from './latest-cursor';

export type OnlineOutcome = 'served' | 'behind' | 'future_event_time' | 'unavailable';

/** The FeatureService side: null means "read SQL". */
export interface OnlineReads {
  newest(view: FeatureView, entityKeys: string[], now: number): Promise<Array<MatchedRow | null> | null>;
}

export function onlineReadsCounter(registry: Registry): Counter<'path' | 'reason'> {
  const name = 'tidemark_online_reads_total';
  return (
    (registry.getSingleMetric(name) as Counter<'path' | 'reason'> | undefined) ??
    new Counter({
      name,
      help: 'Feature reads without asOf/knownAt/version under TIDEMARK_ONLINE_STORE=redis, by the path that answered and why (served, behind, future_event_time, unavailable).',
      labelNames: ['path', 'reason'] as const,
      registers: [registry],
    })
  );
}

export class RedisOnlineReads implements OnlineReads {
  private readonly latest: LatestCursor;
  private down = false;

  constructor(
    private readonly deps: {
      redis: Redis;
      keys: OnlineKeys;
      latestCursor: () => Promise<number>;
      logger: Logger;
      counter: Counter<'path' | 'reason'>;
      /** Settles when the client first connects, or gives up waiting for it. */
      connected: Promise<void>;
    },
  ) {
    this.latest = new LatestCursor(deps.latestCursor);
  }

  async newest(
    view: FeatureView,
    entityKeys: string[],
    now: number,
  ): Promise<Array<MatchedRow | null> | null> {
    if (entityKeys.length === 0) return [];
    // A process's first reads (a CLI command's only one) wait for the connection briefly,
    // rather than reading SQL with a warning because nothing is queued while connecting.
    await this.deps.connected;
    const { redis, keys } = this.deps;
    const fromRedis = redis
      .multi()
      .get(keys.cursor)
      .mget(entityKeys.map((k) => keys.entity(view, k)))
      .exec()
      .then(
        (res) => {
          const failed = res?.find(([err]) => err)?.[0];
          if (!res || failed) throw failed ?? new Error('transaction aborted');
          return { cursor: res[0]![1] as string | null, values: res[1]![1] as Array<string | null> };
        },
        (err: unknown) => err as Error,
      );
    const [latest, got] = await Promise.all([this.latest.get(), fromRedis.catch((err: Error) => err)]);
    if (got instanceof Error) return this.fallback('unavailable', got);
    if (this.down) {
      this.down = false;
      this.deps.logger.info('online store: Redis answers again');
    }
    const cursor = parseStoredCursor(got.cursor);
    if (cursor === null || cursor < latest) return this.fallback('behind');
    const out: Array<MatchedRow | null> = new Array(entityKeys.length);
    for (let i = 0; i < entityKeys.length; i++) {
      const v = got.values[i];
      out[i] = v ? decodeRow(entityKeys[i]!, v) : null;
      if (out[i] && out[i]!.eventTime > now) return this.fallback('future_event_time');
    }
    this.deps.counter.inc({ path: 'redis', reason: 'served' });
    return out;
  }

  private fallback(reason: Exclude<OnlineOutcome, 'served'>, err?: Error): null {
    this.deps.counter.inc({ path: 'sql', reason });
    if (reason === 'unavailable' && !this.down) {
      this.down = true;
      this.deps.logger.warn({ err: err?.message }, 'online store: Redis unavailable; reading SQL');
    }
    return null;
  }
}

/**
 * Run-status events through the REAL Redis of this machine: channels carry the
 * deployment's prefix, so two deployments sharing a Redis never see each other's
 * events, while instances of one deployment (same prefix) do.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisTransport, type RedisTransport } from '../../src/events/pubsub-transport';
import { createTidemarkPubSub, RUN_STATUS_TOPIC } from '../../src/graphql/pubsub';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/observability/logger';
import { makeRun } from '../support/fixtures';
import type { Run } from '../../src/domain/run';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('run-status events over Redis', () => {
  const transports: RedisTransport[] = [];
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });

  function instance(prefix: string) {
    const t = createRedisTransport(REDIS_URL, silentLogger(), prefix);
    transports.push(t);
    const pubSub = createTidemarkPubSub(t.eventTarget);
    const received: Run[] = [];
    const iterator = pubSub.subscribe(RUN_STATUS_TOPIC)[Symbol.asyncIterator]();
    const pump = (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        received.push(next.value as Run);
      }
    })();
    return { pubSub, received, stop: () => iterator.return?.().then(() => pump) };
  }

  it('reaches instances with the same prefix only, on the channel <prefix>RUN_STATUS', async () => {
    const tag = randomBytes(4).toString('hex');
    const one = `tidemark:one_${tag}:`;
    const a = instance(one);
    const b = instance(one);
    const other = instance(`tidemark:other_${tag}:`);
    // SUBSCRIBE is asynchronous: wait until Redis reports the subscribers on the prefixed channels.
    const admin = new Redis(REDIS_URL);
    try {
      await vi.waitFor(
        async () => {
          const counts = (await admin.call('PUBSUB', 'NUMSUB', `${one}RUN_STATUS`)) as [string, number];
          expect(Number(counts[1])).toBe(2);
          expect(await admin.call('PUBSUB', 'NUMSUB', 'RUN_STATUS')).toEqual(['RUN_STATUS', 0]);
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      admin.disconnect();
    }

    const run = makeRun({ id: `run_${tag}` });
    a.pubSub.publish(RUN_STATUS_TOPIC, run);
    await vi.waitFor(() => expect(b.received.map((r) => r.id)).toEqual([run.id]), { timeout: 10_000 });
    expect(a.received.map((r) => r.id)).toEqual([run.id]);
    // A marker on the other deployment arrives after anything it could have received from ours.
    const marker = makeRun({ id: `marker_${tag}` });
    other.pubSub.publish(RUN_STATUS_TOPIC, marker);
    await vi.waitFor(() => expect(other.received.map((r) => r.id)).toContain(marker.id), { timeout: 10_000 });
    expect(other.received.map((r) => r.id)).toEqual([marker.id]);
    expect(b.received.map((r) => r.id)).toEqual([run.id]);
    await Promise.all([a.stop(), b.stop(), other.stop()]);
  });
});

describe('TIDEMARK_EVENTS_PREFIX', () => {
  it('defaults to the deployment: the PostgreSQL database name, or the SQLite file', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db.internal:5432/features_prod' }).eventsPrefix).toBe(
      'tidemark:features_prod:',
    );
    expect(loadConfig({ TIDEMARK_DATA_DIR: '/srv/tm' }).eventsPrefix).toBe(
      'tidemark:/srv/tm/tidemark.sqlite:',
    );
  });

  it('can be set, and is refused with spaces', () => {
    expect(loadConfig({ TIDEMARK_EVENTS_PREFIX: 'acme:staging:' }).eventsPrefix).toBe('acme:staging:');
    expect(() => loadConfig({ TIDEMARK_EVENTS_PREFIX: 'a b' })).toThrow(/TIDEMARK_EVENTS_PREFIX/);
  });
});

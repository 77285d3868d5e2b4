/**
 * A runtime with TIDEMARK_ONLINE_STORE=redis on this leg's engine, in a CLI home (so a
 * `tidemark` child process can write to the same store), with its own key prefix in
 * Redis, and the sensor contract applied.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config';
import { openRuntime, type Runtime } from '../../../src/runtime';
import { silentLogger, type Logger } from '../../../src/observability/logger';
import { parseContract } from '../../../src/contracts/parse';
import { onlineKeys } from '../../../src/serving/online-store/keys';
import { createCliHome, type CliHome } from '../../support/cli';

export const SENSOR = `
name: sensor
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: integer }
expectations: []
features:
  - { name: reading, column: reading }
`;

export const SENSORS = ['s1', 's2', 's3'];

export interface OnlineRuntime {
  rt: Runtime;
  home: CliHome;
  /** Redis on the same server as the runtime's, for looking at and tampering with the keys. */
  redis: Redis;
  keys: ReturnType<typeof onlineKeys>;
  env: Record<string, string>;
  /** `reading` of each sensor as the `features` query answers now. */
  readings(): Promise<Array<number | null>>;
  /** The runtime's `tidemark_online_reads_total` count for one path and reason. */
  count(path: string, reason: string): Promise<number>;
  ingest(reading: number, day?: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function openOnlineRuntime(
  redisUrl = 'redis://127.0.0.1:6379',
  logger: Logger = silentLogger(),
): Promise<OnlineRuntime> {
  const home = await createCliHome();
  const prefix = `tidemark-test:${randomBytes(6).toString('hex')}:`;
  const env = {
    ...home.env,
    REDIS_URL: redisUrl,
    TIDEMARK_ONLINE_STORE: 'redis',
    TIDEMARK_EVENTS_PREFIX: prefix,
  };
  const rt = await openRuntime(loadConfig({ ...env, TIDEMARK_LOG_LEVEL: 'silent' }), {
    logger,
    sweepMs: 0,
    codeVersion: 'test',
  });
  await rt.registry.apply([parseContract(SENSOR, 'sensor.yaml')], 'test');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined); // the redis-down test stops its server under it
  const keys = onlineKeys(prefix);
  return {
    rt,
    home,
    redis,
    keys,
    env,
    readings: async () => {
      const vectors = await rt.features.features({
        contract: 'sensor',
        entities: SENSORS.map((sensor) => ({ sensor })),
        environment: 'dev',
      });
      return vectors.map((v) => (v.values?.reading ?? null) as number | null);
    },
    count: async (path, reason) => {
      const metric = await rt.metrics.registry.getSingleMetric('tidemark_online_reads_total')!.get();
      const v = metric.values.find((x) => x.labels.path === path && x.labels.reason === reason);
      return v?.value ?? 0;
    },
    ingest: async (reading, day = '2024-01-02') => {
      const run = await rt.runs.ingest({
        contract: 'sensor',
        environment: 'dev',
        records: SENSORS.map((sensor) => ({ day, sensor, reading })),
        actor: 'test',
        force: true,
      });
      if (run.status !== 'succeeded') throw new Error(`run ${run.id} ${run.status}: ${run.error}`);
      return run.id;
    },
    dispose: async () => {
      await rt.close();
      if (redis.status === 'ready') {
        const found = await redis.keys(keys.pattern);
        if (found.length > 0) await redis.del(...found);
      }
      redis.disconnect();
      await home.dispose();
    },
  };
}

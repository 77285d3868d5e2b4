/**
 * Streaming test helpers: unique names per test (parallel files never share a
 * subject, stream, key or contract), a sensor-reading contract on a nats or
 * redis-stream source, publishing to the REAL brokers on this machine, a manager
 * wired to a TestRuntime with short intervals, and waiting for an outcome.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import { StreamConsumerManager, type StreamManagerOptions } from '../../src/streaming/consumer-manager';
import type { BrokerKind } from '../../src/domain/stream-positions';
import type { TestRuntime } from '../support/runtime';
import { countRows } from '../support/runtime';
import { T } from '../../src/store/tables';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BROKERS: BrokerKind[] = ['nats', 'redis-stream'];

/** A broker, and for NATS the stream's retention: limits (the default) or workqueue. */
export type StreamKind = 'nats' | 'nats-workqueue' | 'redis-stream';
export const STREAM_KINDS: StreamKind[] = ['nats', 'nats-workqueue', 'redis-stream'];

export function brokerOf(kind: StreamKind): BrokerKind {
  return kind === 'redis-stream' ? 'redis-stream' : 'nats';
}

let n = 0;

/** A name unique across test files and processes: [a-z][a-z0-9_]*. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++n}`;
}

export interface SensorContractOptions {
  name: string;
  version?: string;
  broker: BrokerKind;
  endpoint: string;
  maxRecords?: number;
  maxWait?: string;
  /** Extra YAML lines under `expectations:` (each starting with "  - "). */
  expectations?: string[];
}

/** Readings per sensor: value >= 0 is checked with severity reject. */
export function sensorContract(o: SensorContractOptions): string {
  const where = o.broker === 'nats' ? `subject: ${o.endpoint}` : `stream: ${o.endpoint}`;
  return `
name: ${o.name}
version: ${o.version ?? '1.0.0'}
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: ts
source:
  type: ${o.broker}
  ${where}
  batch: { maxRecords: ${o.maxRecords ?? 100}, maxWait: ${o.maxWait ?? 'PT0.3S'} }
schema:
  - { name: sensor, type: string, required: true }
  - { name: ts, type: timestamp, required: true }
  - { name: value, type: number, required: true }
expectations:
  - { expect: between, column: value, min: 0, severity: reject }
${(o.expectations ?? []).join('\n')}
features:
  - { name: value, column: value }
`;
}

export function reading(sensor: string, minute: number, value: number): string {
  return JSON.stringify({ sensor, ts: new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString(), value });
}

/** A broker endpoint for one test: created on open, removed by `dispose()`. */
export interface TestStream {
  broker: BrokerKind;
  /** The subject or stream key a contract names. */
  endpoint: string;
  /** Publishes payloads in order; answers their positions. */
  publish(...payloads: string[]): Promise<string[]>;
  dispose(): Promise<void>;
}

export async function openTestStream(kind: StreamKind): Promise<TestStream> {
  if (kind === 'redis-stream') return openRedis();
  return openNats(kind === 'nats-workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits);
}

async function openNats(retention: RetentionPolicy): Promise<TestStream> {
  const nc: NatsConnection = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  const name = uniqueName('TEST').toUpperCase();
  const endpoint = `tidemark.test.${name.toLowerCase()}`;
  await jsm.streams.add({ name, subjects: [`${endpoint}.>`, endpoint], retention });
  const js = jetstream(nc);
  return {
    broker: 'nats',
    endpoint,
    publish: async (...payloads) => {
      const out: string[] = [];
      for (const p of payloads) out.push(String((await js.publish(endpoint, p)).seq));
      return out;
    },
    dispose: async () => {
      await jsm.streams.delete(name).catch(() => undefined);
      await nc.close();
    },
  };
}

async function openRedis(): Promise<TestStream> {
  const redis = new Redis(REDIS_URL);
  const endpoint = uniqueName('tidemark:test');
  return {
    broker: 'redis-stream',
    endpoint,
    publish: async (...payloads) => {
      const out: string[] = [];
      for (const p of payloads) out.push((await redis.xadd(endpoint, '*', 'data', p))!);
      return out;
    },
    dispose: async () => {
      await redis.del(endpoint);
      redis.disconnect();
    },
  };
}

/** A manager on the test runtime with short intervals (not started). */
export function testManager(rt: TestRuntime, options: StreamManagerOptions = {}): StreamConsumerManager {
  return new StreamConsumerManager(rt, {
    natsUrl: NATS_URL,
    redisUrl: REDIS_URL,
    ackWaitMs: 2000,
    lagIntervalMs: 100,
    restartDelayMs: 100,
    ...options,
  });
}

type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>;

/** Polls `probe` until it answers something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeoutMs = 20_000,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function featureRowCount(rt: TestRuntime): Promise<number> {
  return countRows(rt, T.featureRows);
}

/** Stream runs of a contract, oldest first. */
export async function streamRuns(rt: TestRuntime, contract: string) {
  const page = await rt.store.runs.list({ contract, trigger: 'stream' }, 1000);
  return page.runs.reverse();
}

/**
 * Consumers start and stop with contract activation, and show over GraphQL: the
 * `streams` query and the `resumeStream` mutation, through the real schema.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { graphql } from 'graphql';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { testEngine } from '../support/engine';
import { parseContract } from '../../src/contracts/parse';
import { buildTidemarkSchema } from '../../src/graphql/schema';
import { createTidemarkPubSub } from '../../src/graphql/pubsub';
import { createStreamService } from '../../src/streaming/stream.service';
import type { StreamConsumerManager } from '../../src/streaming/consumer-manager';
import {
  NATS_URL,
  openTestStream,
  reading,
  sensorContract,
  testManager,
  uniqueName,
  waitFor,
  type TestStream,
} from './streaming-fixtures';

const PUSH_CONTRACT = (name: string) => `
name: ${name}
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: ts
source: { type: push }
schema:
  - { name: sensor, type: string, required: true }
  - { name: ts, type: timestamp, required: true }
expectations: []
features:
  - { name: sensor_seen, column: sensor }
`;

describe(`stream consumer manager (${testEngine()})`, () => {
  let rt: TestRuntime;
  let nats: TestStream;
  let other: TestStream;
  let manager: StreamConsumerManager;
  let name: string;

  beforeEach(async () => {
    [nats, other] = await Promise.all([openTestStream('nats'), openTestStream('nats')]);
    name = uniqueName('sensors');
    rt = await createTestRuntime({
      contracts: [
        sensorContract({ name, broker: 'nats', endpoint: nats.endpoint }),
        PUSH_CONTRACT(uniqueName('pushed')),
      ],
    });
    manager = testManager(rt);
    rt.contracts.onChange(() => void manager.refresh());
    await manager.start();
  });

  afterEach(async () => {
    await manager?.stop();
    await rt?.dispose();
    await Promise.all([nats?.dispose(), other?.dispose()]);
  });

  const apply = (yaml: string) => rt.contracts.apply([parseContract(yaml, 'inline.yaml')], 'test');

  it('runs one consumer per active stream contract and environment, following new versions', async () => {
    expect(manager.status().map((s) => [s.contract, s.environment, s.endpoint])).toEqual([
      [name, 'dev', nats.endpoint],
    ]);
    await waitFor('connected', () => manager.status()[0]?.connected);

    await apply(
      sensorContract({ name, version: '1.1.0', broker: 'nats', endpoint: nats.endpoint, maxRecords: 5 }),
    );
    await waitFor('the new version', () => manager.status()[0]?.contractVersion === '1.1.0');
    expect(manager.status()[0]!.connected).toBe(true);

    // Another subject: the consumer restarts on it, from that source's own position.
    await apply(sensorContract({ name, version: '1.2.0', broker: 'nats', endpoint: other.endpoint }));
    await waitFor('the new source', () => manager.status()[0]?.endpoint === other.endpoint);
    const [pos] = await other.publish(reading('s', 1, 1));
    await waitFor('a micro-batch from it', () => manager.status()[0]?.lastPosition === pos);
  });

  it('answers the streams query and the resumeStream mutation', async () => {
    const schema = await buildTidemarkSchema(createTidemarkPubSub());
    const contextValue = {
      services: { streams: createStreamService(manager, 'dev') },
      principal: { actor: 'ops', role: 'admin', keyId: null },
      actor: 'ops',
      logger: rt.logger,
    };
    const [pos] = await nats.publish(reading('s', 1, 1));
    // The position moves at commit; the run id and the in-memory count settle just after.
    await waitFor('the commit', () => {
      const st = manager.status()[0];
      return st !== undefined && st.lastPosition === pos && st.lastRunId !== null && st.inMemory === 0;
    });

    const query = await graphql({
      schema,
      contextValue,
      source: `{ streams(environment: "dev") { contract environment source endpoint consumer connected lastPosition lastRunId paused error inMemory } }`,
    });
    expect(query.errors).toBeUndefined();
    expect(query.data!.streams).toEqual([
      {
        contract: name,
        environment: 'dev',
        source: 'nats',
        endpoint: nats.endpoint,
        consumer: `tidemark_${name}_dev`,
        connected: true,
        lastPosition: pos,
        lastRunId: expect.stringMatching(/^run_/),
        paused: false,
        error: null,
        inMemory: 0,
      },
    ]);

    const resume = await graphql({
      schema,
      contextValue,
      source: `mutation { resumeStream(contract: "${name}") { contract paused } }`,
    });
    expect(resume.data!.resumeStream).toEqual({ contract: name, paused: false });
    const missing = await graphql({
      schema,
      contextValue,
      source: `mutation { resumeStream(contract: "nope") { paused } }`,
    });
    expect(missing.errors![0]!.message).toMatch(/has no stream consumer in dev/);
    const bad = await graphql({
      schema,
      contextValue,
      source: `{ streams(environment: "qa") { contract } }`,
    });
    expect(bad.errors![0]!.message).toMatch(/environment must be one of/);
  });

  it('reports a subject no stream captures, and refuses an interest-retention stream', async () => {
    const lonely = uniqueName('lonely');
    await apply(sensorContract({ name: lonely, broker: 'nats', endpoint: `tidemark.nowhere.${lonely}` }));
    const missing = await waitFor('the error', () => manager.status({ contract: lonely })[0]?.error);
    expect(missing).toMatch(/no JetStream stream captures subject/);

    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    const streamName = uniqueName('INTEREST').toUpperCase();
    const subject = `tidemark.interest.${streamName.toLowerCase()}`;
    await jsm.streams.add({ name: streamName, subjects: [subject], retention: RetentionPolicy.Interest });
    try {
      const picky = uniqueName('picky');
      await apply(sensorContract({ name: picky, broker: 'nats', endpoint: subject }));
      const refused = await waitFor('the refusal', () => manager.status({ contract: picky })[0]?.error);
      expect(refused).toMatch(/uses interest retention/);
      expect(manager.status({ contract: picky })[0]!.connected).toBe(false);
    } finally {
      await jsm.streams.delete(streamName);
      await nc.close();
    }
  });
});

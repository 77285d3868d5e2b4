/**
 * Online reads while a run's write transaction holds the database: on SQLite that
 * transaction keeps the one pooled connection for seconds, and a read that looked its
 * contract's active version up there (every second, when the cache expires) waited
 * for it (issue 15: 8 s read stalls during a 1M-row ingest). The lookup and the
 * point-in-time read both go to the read connection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import type { Knex } from 'knex';
import { holdTransaction } from '../support/hold-transaction';

const SENSOR = `
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

/** A budget against a hang, not a timing: a read queued behind the writer never answers. */
const HANG_MS = 3_000;

describe(`online reads beside a long write transaction (${testEngine()})`, () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [SENSOR] });
    await rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: [{ day: '2024-01-01', sensor: 's1', reading: 7 }],
      actor: 'test',
    });
  });
  afterEach(() => rt.dispose());

  it('resolve the contract and read the features while a transaction holds a connection', async () => {
    const hold = await holdTransaction(rt.store.db as Knex);
    try {
      rt.registry.invalidate(); // as when the active-version cache has expired
      const read = rt.features.features({
        contract: 'sensor',
        entities: [{ sensor: 's1' }],
        environment: 'dev',
      });
      const answer = await Promise.race([
        read,
        new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), HANG_MS)),
      ]);
      expect(answer === 'stalled' ? answer : answer.map((v) => v.values)).toEqual([{ reading: 7 }]);
    } finally {
      await hold.release();
    }
  });
});

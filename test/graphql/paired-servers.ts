/**
 * One runtime served twice with different server options, for the tests that hold
 * one way of answering to another (http.test.ts: direct vs Express; fast-execution
 * .test.ts: fast path vs Apollo). Optionally with the `items` contract and two rows
 * of it, and with a tiny rate limit (the limiter is made from LIMITS per server).
 */
import { expect } from 'vitest';
import { createServer, type ServerOptions, type TidemarkServer } from '../../src/server';
import { LIMITS } from '../../src/graphql/limits';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

export const ITEMS = `
name: items
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: number }
  - { name: day, type: date }
expectations: []
features:
  - { name: price, column: price }
  - { name: day, column: day }
`;

export interface PairedServers {
  rt: TestRuntime;
  /** The ports of the servers made with the first and the second options. */
  ports: { a: number; b: number };
  stop(): Promise<void>;
}

export async function pairedServers(
  a: ServerOptions,
  b: ServerOptions,
  opts: { items?: boolean; rateBurst?: number } = {},
): Promise<PairedServers> {
  const rt = await createTestRuntime({ contracts: opts.items ? [ITEMS] : [] });
  if (opts.items) await ingestItems(rt);
  const limits = LIMITS as unknown as Record<string, number>;
  const saved = { ratePerSec: LIMITS.ratePerSec, rateBurst: LIMITS.rateBurst };
  let servers: TidemarkServer[];
  try {
    if (opts.rateBurst !== undefined) Object.assign(limits, { ratePerSec: 1e-6, rateBurst: opts.rateBurst });
    servers = [await createServer(rt, a), await createServer(rt, b)];
  } finally {
    Object.assign(limits, saved);
  }
  const ports = { a: await servers[0]!.listen(0, '127.0.0.1'), b: await servers[1]!.listen(0, '127.0.0.1') };
  return {
    rt,
    ports,
    stop: async () => {
      for (const s of servers) await s.stop();
      await rt.dispose();
    },
  };
}

/** apple (1.5, 2024-05-01) and pear (4, no day), both at 2024-05-01T00:00:00Z. */
async function ingestItems(rt: TestRuntime): Promise<void> {
  const run = await rt.runs.ingest({
    contract: 'items',
    environment: 'dev',
    actor: 'test',
    records: [
      { ts: '2024-05-01T00:00:00Z', item: 'apple', price: 1.5, day: '2024-05-01' },
      { ts: '2024-05-01T00:00:00Z', item: 'pear', price: 4, day: null },
    ],
  });
  expect(run.status).toBe('succeeded');
}

/**
 * Shared subscription execution (subscription-execution.ts) against graphql-js's own
 * `subscribe`: for every subscriber, the same results in the same order; subscribers
 * asking the same thing as the same principal share one result object per event.
 * And the per-text document cache answers what parse + validate answer.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, specifiedRules, subscribe, validate, type ExecutionResult } from 'graphql';
import { createContext, createServices, type Services } from '../../src/graphql/context';
import { createTidemarkPubSub } from '../../src/graphql/pubsub';
import { buildTidemarkSchema } from '../../src/graphql/schema';
import { limitRules } from '../../src/graphql/limits';
import { sharedSubscribe } from '../../src/graphql/subscription-execution';
import { DocumentCache } from '../../src/graphql/document-cache';
import { EventFanout } from '../../src/events/run-events-fanout';
import { ANONYMOUS } from '../../src/auth/gate';
import type { Principal } from '../../src/domain/role';
import type { RunEvent } from '../../src/store/run-event-log';
import { testEngine } from '../support/engine';
import { makeRun } from '../support/fixtures';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

type Schema = Awaited<ReturnType<typeof buildTidemarkSchema>>;

const READER: Principal = { actor: 'key:r1', role: 'reader', keyId: 'r1' };
const Q = `subscription($c: String) { runStatusChanged(contract: $c) { id status rowsWritten } }`;
const Q2 = `subscription { runStatusChanged { id trigger createdBy } }`;

describe(`shared subscription execution vs graphql subscribe (${testEngine()})`, () => {
  let rt: TestRuntime;
  let schema: Schema;
  let services: Services;

  beforeAll(async () => {
    rt = await createTestRuntime();
    schema = await buildTidemarkSchema(createTidemarkPubSub());
    services = createServices(
      rt,
      new EventFanout<RunEvent>((deliver) => rt.events.subscribe((run) => deliver(run as RunEvent))),
    );
  });
  afterAll(async () => {
    await rt.dispose();
  });

  const subscriptions: Array<{ query: string; variables?: Record<string, unknown>; principal: Principal }> = [
    { query: Q, principal: ANONYMOUS },
    { query: Q, principal: ANONYMOUS },
    { query: Q, variables: { c: 'a' }, principal: ANONYMOUS },
    { query: Q, variables: { c: 'a' }, principal: READER },
    { query: Q2, principal: READER },
  ];

  async function open(shared: boolean) {
    const run = sharedSubscribe((p) => createContext(rt, services, p));
    // One document per text, as the server's DocumentCache hands out.
    const documents = new Map(subscriptions.map((s) => [s.query, parse(s.query)]));
    return Promise.all(
      subscriptions.map(async (s) => {
        const args = {
          schema,
          document: documents.get(s.query)!,
          variableValues: s.variables,
          contextValue: createContext(rt, services, s.principal),
        };
        const stream = shared ? await run(args) : await subscribe(args);
        return stream as AsyncGenerator<ExecutionResult>;
      }),
    );
  }

  it('answers every subscriber what graphql-js answers, sharing results between equal subscribers', async () => {
    const mine = await open(true);
    const reference = await open(false);
    const pending = [...mine, ...reference].map((it) => it.next());
    const runs = [
      makeRun({ contractName: 'a', status: 'queued' }),
      makeRun({ contractName: 'b', status: 'running' }),
      makeRun({ contractName: 'a', status: 'succeeded' }),
    ];
    // Every stream pulls its first event before anything is published.
    await new Promise((r) => setTimeout(r, 10));
    for (const r of runs) rt.events.publish(r);
    const got = [...mine, ...reference].map(() => [] as ExecutionResult[]);
    const first = await Promise.all(pending);
    first.forEach((r, i) => got[i]!.push(r.value as ExecutionResult));
    const expectedCounts = [3, 3, 2, 2, 3];
    for (let i = 0; i < mine.length; i++) {
      for (let k = 1; k < expectedCounts[i]!; k++) {
        got[i]!.push((await mine[i]!.next()).value as ExecutionResult);
        got[mine.length + i]!.push((await reference[i]!.next()).value as ExecutionResult);
      }
      expect(JSON.stringify(got[i])).toBe(JSON.stringify(got[mine.length + i]));
      expect(got[i]).toHaveLength(expectedCounts[i]!);
    }
    // Same document text, variables and principal: one result object per event.
    expect(got[0]![0]).toBe(got[1]![0]);
    expect(got[2]![0]).not.toBe(got[3]![0]);
    expect(got[0]![0]!.data).toEqual({
      runStatusChanged: { id: runs[0]!.id, status: 'QUEUED', rowsWritten: 0 },
    });
    await Promise.all([...mine, ...reference].map((it) => it.return(undefined)));
  });

  it('caches parse and validation per query text, answering what they answer', () => {
    const rules = [...specifiedRules, ...limitRules()];
    const cache = new DocumentCache({ schema, validationRules: limitRules(), maxEntries: 2 });
    const ok = cache.get(Q)!;
    expect(ok.errors).toBeUndefined();
    expect(cache.get(Q)).toBe(ok);
    const bad = cache.get('subscription { nope }')!;
    expect(bad.errors!.map((e) => e.message)).toEqual(
      validate(schema, parse('subscription { nope }'), rules).map((e) => e.message),
    );
    expect(bad.errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(cache.get('subscription {')!.errors![0]!.message).toMatch(/Syntax Error/);
    // Bounded: the oldest entry went.
    expect(cache.get(Q)).not.toBe(ok);
  });
});

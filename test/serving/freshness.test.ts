/**
 * Freshness: a feature view's newest visible event time against its contract's
 * sla.freshness, per environment where a version is active. Shown by the service,
 * the gauges, the log (stale views) and GraphQL's Contract.freshness.
 */
import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock';
import { PromotionService } from '../../src/contracts/promotion';
import { createContext, createServices, type GraphQLContext } from '../../src/graphql/context';
import { createTidemarkPubSub } from '../../src/graphql/pubsub';
import { buildTidemarkSchema } from '../../src/graphql/schema';
import { createLogger } from '../../src/observability/logger';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { FreshnessService, type FreshnessStatus } from '../../src/serving/freshness';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

const CASES = `
name: cases
version: 1.0.0
owner: tests
entity: { name: country, key: [country] }
eventTime: date
source: { type: push }
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: total, type: integer }
expectations: []
features:
  - { name: total, column: total }
sla: { freshness: P2D }
`;
const PLAIN = CASES.replace('name: cases', 'name: plain').replace('sla: { freshness: P2D }\n', '');

const DAY = 86_400_000;
const JAN = (d: number) => Date.UTC(2024, 0, d);
const rows = (...days: number[]) =>
  days.map((d) => ({ date: `2024-01-${String(d).padStart(2, '0')}`, country: 'DEU', total: d }));

describe(`freshness (${testEngine()})`, () => {
  let rt: TestRuntime;
  let metrics: Metrics;
  let logLines: Array<Record<string, unknown>>;
  let service: FreshnessService;

  async function setup(startDay: number, contracts = [CASES]): Promise<void> {
    rt = await createTestRuntime({ clock: new ManualClock(JAN(startDay)), contracts });
    metrics = createMetrics();
    logLines = [];
    const logger = createLogger('info', { write: (s: string) => void logLines.push(JSON.parse(s)) });
    service = new FreshnessService({ store: rt.store, clock: rt.clock, logger, metrics });
  }
  afterEach(() => rt.dispose());

  const ingest = (contract: string, records: unknown[]) =>
    rt.runs.ingest({ contract, environment: 'dev', records, actor: 'test' });
  const only = async (filter?: { name?: string }): Promise<FreshnessStatus> => {
    const all = await service.snapshot(filter);
    expect(all).toHaveLength(1);
    return all[0]!;
  };
  const gauge = async (g: 'freshness' | 'stale' | 'freshnessSla', contract = 'cases') =>
    (await metrics[g].get()).values.find(
      (v) => v.labels.contract === contract && v.labels.environment === 'dev',
    )?.value;

  it('is fresh within the SLA and stale past it; check() sets the gauges and logs stale views', async () => {
    await setup(3);
    await ingest('cases', rows(1, 2));
    expect(await only()).toEqual({
      contract: 'cases',
      version: '1.0.0',
      major: 1,
      environment: 'dev',
      newestEventTime: JAN(2),
      ageSeconds: 86_400,
      sla: 'P2D',
      stale: false,
    });

    rt.clock.advance(2 * DAY);
    const [checked] = await service.check();
    expect(checked).toMatchObject({ ageSeconds: 3 * 86_400, stale: true });
    expect([await gauge('freshness'), await gauge('stale'), await gauge('freshnessSla')]).toEqual([
      3 * 86_400,
      1,
      2 * 86_400,
    ]);
    const stale = logLines.filter((l) => l.msg === 'feature view is stale');
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({
      level: 'warn',
      contract: 'cases',
      version: '1.0.0',
      major: 1,
      environment: 'dev',
      newestEventTime: '2024-01-02T00:00:00.000Z',
      ageSeconds: 3 * 86_400,
      sla: 'P2D',
    });
  });

  it('logs when a view becomes stale and when it recovers, not at every check in between', async () => {
    await setup(3);
    await ingest('cases', rows(1, 2));
    const said = () => logLines.map((l) => [l.level, l.msg]);
    await service.check();
    expect(said()).toEqual([]);

    rt.clock.advance(2 * DAY);
    for (let i = 0; i < 5; i++) await service.check();
    expect(said()).toEqual([['warn', 'feature view is stale']]);

    await ingest('cases', rows(4, 5));
    await service.check();
    await service.check();
    expect(said()).toEqual([
      ['warn', 'feature view is stale'],
      ['info', 'feature view is fresh again'],
    ]);
    expect(logLines[1]).toMatchObject({ contract: 'cases', newestEventTime: '2024-01-05T00:00:00.000Z' });

    rt.clock.advance(3 * DAY);
    await service.check();
    expect(said()).toHaveLength(3);
    expect(logLines[2]).toMatchObject({ level: 'warn', msg: 'feature view is stale' });
  });

  it('is not stale at exactly the SLA, only past it', async () => {
    await setup(4);
    await ingest('cases', rows(2));
    expect(await only()).toMatchObject({ ageSeconds: 2 * 86_400, stale: false });
    rt.clock.advance(1);
    expect(await only()).toMatchObject({ stale: true });
  });

  it('counts only visible rows: a rollback makes the earlier newest event time current again', async () => {
    await setup(10);
    await ingest('cases', rows(2));
    const later = await ingest('cases', rows(5));
    expect((await only()).newestEventTime).toBe(JAN(5));
    await rt.runs.rollback(later.id, 'test');
    expect((await only()).newestEventTime).toBe(JAN(2));
  });

  it('gives a view without rows one SLA period from activation before it is stale', async () => {
    await setup(3);
    expect(await only()).toMatchObject({ newestEventTime: null, ageSeconds: null, stale: false });
    rt.clock.advance(2 * DAY + 1);
    await service.check();
    expect(await only()).toMatchObject({ stale: true });
    expect([await gauge('freshness'), await gauge('stale')]).toEqual([undefined, 1]);
    expect(logLines.find((l) => l.msg === 'feature view is stale')).toMatchObject({
      newestEventTime: null,
      ageSeconds: null,
    });
  });

  it('never marks a view stale when its contract sets no SLA', async () => {
    await setup(3, [PLAIN]);
    await ingest('plain', rows(1));
    rt.clock.advance(365 * DAY);
    await service.check();
    expect(await only({ name: 'plain' })).toMatchObject({
      sla: null,
      stale: false,
      ageSeconds: 367 * 86_400,
    });
    expect([await gauge('stale', 'plain'), await gauge('freshnessSla', 'plain')]).toEqual([0, undefined]);
    expect(logLines.filter((l) => l.msg === 'feature view is stale')).toEqual([]);
  });

  it('reports each environment where a version is active, in GraphQL too', async () => {
    await setup(3);
    await ingest('cases', rows(2));
    await new PromotionService(rt).promote('cases', '1.0.0', 'test', 'test');
    const byEnv = (await service.forVersion('cases', '1.0.0')).sort((a, b) =>
      a.environment.localeCompare(b.environment),
    );
    expect(byEnv.map((s) => [s.environment, s.newestEventTime, s.stale])).toEqual([
      ['dev', JAN(2), false],
      ['test', null, false],
    ]);
    expect(await service.forVersion('cases', '9.9.9')).toEqual([]);

    const schema = await buildTidemarkSchema(createTidemarkPubSub());
    const apollo = new ApolloServer<GraphQLContext>({ schema });
    await apollo.start();
    try {
      const services = Object.assign(createServices(rt), { freshness: service });
      const res = await apollo.executeOperation(
        {
          query:
            '{ contract(name: "cases") { name freshness { environment newestEventTime ageSeconds sla stale } } }',
        },
        { contextValue: createContext(rt, services, { actor: 'test', role: 'admin', keyId: null }) },
      );
      expect(res.body.kind).toBe('single');
      const result = res.body.kind === 'single' ? res.body.singleResult : null;
      expect(result?.errors).toBeUndefined();
      // executeOperation hands back values before serialization; the wire carries JSON.
      const data = JSON.parse(JSON.stringify(result?.data)) as {
        contract: { freshness: Array<{ environment: string }> };
      };
      expect(data.contract.freshness.sort((a, b) => a.environment.localeCompare(b.environment))).toEqual([
        {
          environment: 'dev',
          newestEventTime: '2024-01-02T00:00:00.000Z',
          ageSeconds: 86_400,
          sla: 'P2D',
          stale: false,
        },
        { environment: 'test', newestEventTime: null, ageSeconds: null, sla: 'P2D', stale: false },
      ]);
    } finally {
      await apollo.stop();
    }
  });
});

describe('FreshnessService.schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs check() every interval until stopped', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const service = new FreshnessService({
      store: {} as never,
      clock: new ManualClock(0),
      logger: createLogger('silent'),
    });
    const check = vi.spyOn(service, 'check').mockResolvedValue([]);
    const stop = service.schedule(60_000);
    vi.advanceTimersByTime(3 * 60_000);
    expect(check).toHaveBeenCalledTimes(3);
    stop();
    vi.advanceTimersByTime(3 * 60_000);
    expect(check).toHaveBeenCalledTimes(3);
  });
});

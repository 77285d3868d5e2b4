/**
 * /metrics after real runs: runs by status and trigger (terminal transitions), rows
 * per contract, the run duration histogram and the freshness gauges, read back from
 * the Prometheus text the router serves.
 */
import express from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import {
  attachRunMetrics,
  createMetrics,
  enableProcessMetrics,
  type Metrics,
} from '../../src/observability/metrics';
import { observabilityRoutes } from '../../src/observability/routes';
import { FreshnessService } from '../../src/serving/freshness';
import { testEngine } from '../support/engine';
import { CLOCK_START, createTestRuntime, type TestRuntime } from '../support/runtime';

const CONTRACT = `
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
expectations:
  - { expect: not_null, column: total, severity: reject }
  - { expect: between, column: total, min: 0, severity: fail }
features:
  - { name: total, column: total }
sla: { freshness: P2D }
`;

/** 3 read, 1 rejected (null total), 2 written. */
const GOOD = [
  { date: '2024-01-01', country: 'DEU', total: 10 },
  { date: '2024-01-02', country: 'DEU', total: 15 },
  { date: '2024-01-02', country: 'FRA', total: null },
];
/** Fails validation: nothing counted but the run. */
const NEGATIVE = [{ date: '2024-01-03', country: 'DEU', total: -1 }];
const LATER = [{ date: '2024-12-31', country: 'DEU', total: 20 }];
const MISTAKE = [{ date: '2024-06-30', country: 'FRA', total: 99 }];

/** Each commit takes 1.5 s of the test clock: durations are exact, not measured. */
const WRITE_MS = 1500;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format → samples (comments skipped). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(l);
      if (!m) throw new Error(`not a sample line: ${l}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]),
      );
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The one sample of `name` whose labels include `labels`; undefined when none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}

describe(`/metrics after runs (${testEngine()})`, () => {
  let rt: TestRuntime;
  let metrics: Metrics;
  let detach: () => void;
  let app: express.Express;

  beforeEach(async () => {
    const clock = new ManualClock(CLOCK_START);
    rt = await createTestRuntime({
      clock,
      contracts: [CONTRACT],
      writeHook: (stage) => {
        if (stage === 'features') clock.advance(WRITE_MS);
      },
    });
    metrics = createMetrics();
    detach = attachRunMetrics(rt.events, metrics);
    const freshness = new FreshnessService({ store: rt.store, clock: rt.clock, logger: rt.logger, metrics });
    app = express();
    app.use(observabilityRoutes({ metrics, store: rt.store, logger: rt.logger, freshness }));
  });
  afterEach(async () => {
    detach();
    await rt.dispose();
  });

  const ingest = (records: unknown[]) =>
    rt.runs.ingest({ contract: 'cases', environment: 'dev', records, actor: 'test' });

  async function scrape(): Promise<Sample[]> {
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(res.text);
  }

  it('counts terminal runs by status and trigger, rows per contract, durations and freshness', async () => {
    const a = await ingest(GOOD);
    const failed = await ingest(NEGATIVE);
    const again = await rt.runs.reprocess(a.id, { actor: 'test' });
    const mistake = await ingest(MISTAKE);
    await rt.runs.rollback(mistake.id, 'test');
    await ingest(LATER);
    expect([a.status, failed.status, again.status]).toEqual(['succeeded', 'failed', 'succeeded']);

    const s = await scrape();
    const runs = (status: string, trigger: string) =>
      valueOf(s, 'tidemark_runs_total', { contract: 'cases', environment: 'dev', status, trigger });
    expect(runs('succeeded', 'push')).toBe(3);
    expect(runs('failed', 'push')).toBe(1);
    expect(runs('succeeded', 'reprocess')).toBe(1);
    expect(runs('superseded', 'push')).toBe(1);
    expect(runs('rolled_back', 'push')).toBe(1);
    expect(valueOf(s, 'tidemark_runs_total', { status: 'queued' })).toBeUndefined();
    expect(valueOf(s, 'tidemark_runs_total', { status: 'running' })).toBeUndefined();

    const rows = (what: string) =>
      valueOf(s, `tidemark_rows_${what}_total`, { contract: 'cases', environment: 'dev' });
    // The failed run's rows count as read (it keeps its counts), not as written.
    expect([rows('read'), rows('valid'), rows('rejected'), rows('written')]).toEqual([9, 7, 2, 6]);

    const duration = (suffix: string, status: string, extra: Record<string, string> = {}) =>
      valueOf(s, `tidemark_run_duration_seconds_${suffix}`, {
        contract: 'cases',
        environment: 'dev',
        status,
        ...extra,
      });
    expect(duration('count', 'succeeded')).toBe(4);
    expect(duration('sum', 'succeeded')).toBe(6);
    expect(duration('bucket', 'succeeded', { le: '1' })).toBe(0);
    expect(duration('bucket', 'succeeded', { le: '2.5' })).toBe(4);
    expect(duration('count', 'failed')).toBe(1);
    expect(duration('sum', 'failed')).toBe(0);

    // Refreshed at the scrape: the newest visible event is LATER's 2024-12-31.
    const view = { contract: 'cases', environment: 'dev', major: '1' };
    expect(valueOf(s, 'tidemark_feature_freshness_seconds', view)).toBe(
      (rt.clock.now() - Date.UTC(2024, 11, 31)) / 1000,
    );
    expect(valueOf(s, 'tidemark_feature_stale', view)).toBe(0);
    expect(valueOf(s, 'tidemark_feature_freshness_sla_seconds', view)).toBe(2 * 86_400);
  });

  it('moves the freshness gauge with the clock between scrapes, and flags a stale view', async () => {
    await ingest(LATER);
    const view = { contract: 'cases', environment: 'dev', major: '1' };
    const before = valueOf(await scrape(), 'tidemark_feature_freshness_seconds', view)!;
    rt.clock.advance(3 * 86_400_000);
    const after = await scrape();
    expect(valueOf(after, 'tidemark_feature_freshness_seconds', view)).toBe(before + 3 * 86_400);
    expect(valueOf(after, 'tidemark_feature_stale', view)).toBe(1);
  });

  it('stops counting once detached', async () => {
    detach();
    await ingest(GOOD);
    expect(valueOf(await scrape(), 'tidemark_runs_total')).toBeUndefined();
  });

  it('serves the text format with HELP and TYPE lines', async () => {
    await ingest(GOOD);
    const res = await request(app).get('/metrics');
    expect(res.text).toContain('# TYPE tidemark_runs_total counter');
    expect(res.text).toContain('# TYPE tidemark_run_duration_seconds histogram');
    expect(res.text).toContain('# TYPE tidemark_feature_freshness_seconds gauge');
  });
});

describe('createMetrics', () => {
  it('keeps each registry separate, and adds process metrics only when asked', async () => {
    const a = createMetrics();
    const b = createMetrics(undefined, { processMetrics: true });
    a.runs.inc({ contract: 'x', environment: 'dev', status: 'failed', trigger: 'manual' });
    expect(valueOf(parse(await a.registry.metrics()), 'tidemark_runs_total')).toBe(1);
    expect(valueOf(parse(await b.registry.metrics()), 'tidemark_runs_total')).toBeUndefined();
    expect(await a.registry.metrics()).not.toContain('process_cpu_seconds_total');
    expect(await b.registry.metrics()).toContain('process_cpu_seconds_total');
    expect(() => enableProcessMetrics(b)).not.toThrow(); // the server may ask again
  });
});

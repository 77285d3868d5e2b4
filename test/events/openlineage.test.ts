/**
 * OpenLineage: every run sends START and then COMPLETE or FAIL to a real local HTTP
 * receiver (and/or a JSON-lines file), each payload valid against the 2-0-2 run event
 * schema, with raw batches as inputs, the feature view as output, the validation
 * report as assertions and, for a reprocess, the parent run. A receiver that fails,
 * is down or never answers never fails a run: the failure is logged and counted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createOpenLineageEmitter,
  type OpenLineageEmitter,
  type OpenLineageEmitterOptions,
} from '../../src/events/openlineage/emitter';
import type { LineageRunEvent } from '../../src/events/openlineage/event.types';
import { lineageRunId } from '../../src/events/openlineage/run-id';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { createLogger, silentLogger } from '../../src/observability/logger';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectValid, startReceiver, validate, type Receiver } from '../fixtures/openlineage/receiver';

const CONTRACT = `
name: cases
version: 1.0.0
owner: epidemiology
description: Daily cases per country.
entity: { name: country, key: [country] }
eventTime: date
source: { type: push }
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true, description: ISO 3166 alpha-3 }
  - { name: total, type: integer }
expectations:
  - { expect: not_null, column: total, severity: reject }
  - { expect: between, column: total, min: 0, severity: fail }
features:
  - { name: total, column: total }
  - { name: new_cases, window: { op: diff, column: total } }
`;

const GOOD = [
  { date: '2024-01-01', country: 'DEU', total: 10 },
  { date: '2024-01-02', country: 'DEU', total: 15 },
  { date: '2024-01-02', country: 'FRA', total: null },
];
const NEGATIVE = [{ date: '2024-01-03', country: 'DEU', total: -1 }];

type EmitOptions = Partial<
  Pick<OpenLineageEmitterOptions, 'endpointUrl' | 'filePath' | 'timeoutMs' | 'logger'>
>;

describe(`OpenLineage events (${testEngine()})`, () => {
  let rt: TestRuntime;
  let receiver: Receiver;
  let metrics: Metrics;
  let emitter: OpenLineageEmitter | null;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [CONTRACT] });
    receiver = await startReceiver();
    metrics = createMetrics();
    emitter = null;
  });
  afterEach(async () => {
    await emitter?.close();
    await receiver.close();
    await rt.dispose();
  });

  function emit(opts: EmitOptions = {}) {
    emitter = createOpenLineageEmitter({
      bus: rt.events,
      store: rt.store,
      logger: opts.logger ?? silentLogger(),
      namespace: 'tidemark-test',
      endpointUrl: 'endpointUrl' in opts ? opts.endpointUrl : receiver.url,
      filePath: opts.filePath,
      timeoutMs: opts.timeoutMs,
      codeVersion: 'test',
      metrics,
    });
    return emitter;
  }

  const ingest = (records: unknown[]) =>
    rt.runs.ingest({ contract: 'cases', environment: 'dev', records, actor: 'test' });

  async function lineageCount(transport: string, outcome: string): Promise<number> {
    const { values } = await metrics.lineageEvents.get();
    return values.find((v) => v.labels.transport === transport && v.labels.outcome === outcome)?.value ?? 0;
  }

  const eventsOf = (runId: string) =>
    receiver.received.filter((r) => r.event.run.runId === lineageRunId(runId));

  it('a succeeded run sends START then COMPLETE with raw batch inputs, the feature view and its assertions', async () => {
    const em = emit();
    const run = await ingest(GOOD);
    expect(run.status).toBe('succeeded');
    await em.flush();

    const received = eventsOf(run.id);
    expect(received.map((r) => r.event.eventType)).toEqual(['START', 'COMPLETE']);
    for (const r of received) {
      expectValid(r.event);
      expect(r.path).toBe('/api/v1/lineage');
      expect(r.contentType).toBe('application/json');
    }
    const [start, complete] = received.map((r) => r.event) as [LineageRunEvent, LineageRunEvent];
    const [batch] = await rt.store.rawBatches.forRun(run.id);
    expect(complete.eventTime).toBe(new Date(run.finishedAt!).toISOString());
    expect(start.eventTime).toBe(new Date(run.startedAt!).toISOString());
    expect(complete.producer).toBe('https://tidemark.dev/producer/test');
    expect(complete.job).toMatchObject({ namespace: 'tidemark-test', name: 'cases' });
    expect(complete.job.facets?.documentation).toMatchObject({ description: 'Daily cases per country.' });
    expect(complete.run.facets?.tidemark_run).toMatchObject({
      runId: run.id,
      trigger: 'push',
      contractVersion: '1.0.0',
    });
    expect(complete.run.facets?.parent).toBeUndefined();
    expect(complete.inputs).toHaveLength(1);
    expect(complete.inputs[0]).toMatchObject({ namespace: 'tidemark-raw', name: batch!.sha256 });
    expect(complete.inputs[0]!.facets?.schema?.fields).toEqual([
      { name: 'date', type: 'date' },
      { name: 'country', type: 'string', description: 'ISO 3166 alpha-3' },
      { name: 'total', type: 'integer' },
    ]);
    const [view] = complete.outputs;
    expect(view).toMatchObject({ namespace: 'tidemark-test', name: 'dev/cases/v1' });
    expect(view!.facets?.schema?.fields).toEqual([
      { name: 'total', type: 'integer' },
      { name: 'new_cases', type: 'integer' },
    ]);
    expect(view!.facets?.dataQualityAssertions?.assertions).toEqual(
      run.validation!.results.map((r) => ({
        assertion: r.expect,
        success: r.success,
        ...(r.column ? { column: r.column } : {}),
      })),
    );
    // The null total was rejected: the reject expectation did not hold, yet the run succeeded.
    expect(view!.facets?.dataQualityAssertions?.assertions).toContainEqual({
      assertion: 'not_null',
      success: false,
      column: 'total',
    });
    expect(view!.outputFacets?.outputStatistics).toMatchObject({ rowCount: run.counts.written });
    expect(start.outputs[0]!.outputFacets).toBeUndefined();
    expect(await lineageCount('http', 'sent')).toBe(2);
  });

  it('a failed run sends START then FAIL with the error message and the failed assertion', async () => {
    const em = emit();
    const run = await ingest(NEGATIVE);
    expect(run.status).toBe('failed');
    await em.flush();

    const received = eventsOf(run.id);
    expect(received.map((r) => r.event.eventType)).toEqual(['START', 'FAIL']);
    received.forEach((r) => expectValid(r.event));
    const fail = received[1]!.event;
    expect(fail.run.facets?.errorMessage).toMatchObject({
      message: run.error,
      programmingLanguage: 'TypeScript',
    });
    expect(fail.outputs[0]!.facets?.dataQualityAssertions?.assertions).toContainEqual({
      assertion: 'between',
      success: false,
      column: 'total',
    });
    expect(fail.outputs[0]!.outputFacets).toBeUndefined();
  });

  it('a reprocess names the reprocessed run and its job in the parent facet', async () => {
    const em = emit();
    const first = await ingest(GOOD);
    const again = await rt.runs.reprocess(first.id, { actor: 'test' });
    expect(again.status).toBe('succeeded');
    await em.flush();

    const received = eventsOf(again.id);
    expect(received.map((r) => r.event.eventType)).toEqual(['START', 'COMPLETE']);
    for (const { event } of received) {
      expectValid(event);
      expect(event.run.facets?.parent).toMatchObject({
        run: { runId: lineageRunId(first.id) },
        job: { namespace: 'tidemark-test', name: 'cases' },
      });
      expect(event.run.facets?.tidemark_run).toMatchObject({ trigger: 'reprocess' });
    }
    // The parent's own events carry no parent facet, and its run id is the one the child names.
    expect(eventsOf(first.id).map((r) => r.event.run.facets?.parent)).toEqual([undefined, undefined]);
  });

  it('appends one JSON line per event to a file, alongside HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-ol-'));
    try {
      const file = join(dir, 'nested', 'lineage.jsonl');
      const em = emit({ filePath: file });
      const ok = await ingest(GOOD);
      const failed = await ingest(NEGATIVE);
      await em.flush();
      const lines = readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as LineageRunEvent);
      lines.forEach(expectValid);
      expect(lines.map((e) => [e.run.runId, e.eventType])).toEqual([
        [lineageRunId(ok.id), 'START'],
        [lineageRunId(ok.id), 'COMPLETE'],
        [lineageRunId(failed.id), 'START'],
        [lineageRunId(failed.id), 'FAIL'],
      ]);
      expect(lines).toEqual(receiver.received.map((r) => r.event));
      expect(await lineageCount('file', 'sent')).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a receiver answering 500 never fails the run; each failure is logged and counted', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('warn', { write: (s: string) => void lines.push(JSON.parse(s)) });
    receiver.mode = 'error';
    const em = emit({ logger });
    const run = await ingest(GOOD);
    expect(run.status).toBe('succeeded');
    await em.flush();
    expect(await lineageCount('http', 'failed')).toBe(2);
    expect(await lineageCount('http', 'sent')).toBe(0);
    const warnings = lines.filter((l) => l.msg === 'OpenLineage event not delivered');
    expect(warnings.map((w) => w.eventType)).toEqual(['START', 'COMPLETE']);
    expect(warnings[0]).toMatchObject({ runId: run.id, transport: 'http', component: 'openlineage' });
  });

  it('a receiver that is down never fails the run', async () => {
    const down = await startReceiver();
    await down.close();
    const em = emit({ endpointUrl: down.url });
    const run = await ingest(GOOD);
    expect(run.status).toBe('succeeded');
    await em.flush();
    expect(await lineageCount('http', 'failed')).toBe(2);
  });

  it('a receiver that never answers is given up on after the timeout', async () => {
    receiver.mode = 'hang';
    const em = emit({ timeoutMs: 200 });
    const run = await ingest(GOOD);
    expect(run.status).toBe('succeeded');
    await em.flush();
    expect(await lineageCount('http', 'failed')).toBe(2);
  });

  it('a run does not wait for a receiver that holds its requests', async () => {
    receiver.mode = 'hang';
    // A timeout far beyond the test's own: the run can only finish if it does not wait for delivery.
    const em = emit({ timeoutMs: 10 * 60_000 });
    const run = await ingest(GOOD);
    expect(run.status).toBe('succeeded');
    await receiver.close();
    await em.flush();
    expect(await lineageCount('http', 'failed')).toBe(2);
  });

  it('stops sending once closed', async () => {
    const em = emit();
    await em.close();
    await ingest(GOOD);
    expect(receiver.received).toEqual([]);
  });
});

describe('the run event schema', () => {
  const valid = {
    eventType: 'START',
    eventTime: '2024-01-01T00:00:00.000Z',
    producer: 'https://tidemark.dev/producer',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: lineageRunId('run_1') },
    job: { namespace: 'ns', name: 'cases' },
    inputs: [],
    outputs: [],
  };
  const facet = {
    _producer: 'https://tidemark.dev/producer',
    _schemaURL: 'https://openlineage.io/spec/facets/x.json',
  };

  it('accepts a minimal event and refuses what the spec refuses', () => {
    expectValid(valid);
    const withRunFacets = (facets: object) => ({ ...valid, run: { ...valid.run, facets } });
    const withViewFacets = (facets: object) => ({
      ...valid,
      outputs: [{ namespace: 'ns', name: 'v', facets }],
    });
    const broken: unknown[] = [
      { ...valid, producer: undefined },
      { ...valid, eventTime: 'yesterday' },
      { ...valid, eventType: 'DONE' },
      { ...valid, run: { runId: 'run_1' } },
      { ...valid, job: { name: 'cases' } },
      withRunFacets({ parent: { ...facet, run: { runId: lineageRunId('p') } } }),
      withRunFacets({ errorMessage: { ...facet, message: 'x' } }),
      withRunFacets({ custom: { _producer: 'https://x.dev' } }),
      withViewFacets({ dataQualityAssertions: { ...facet, assertions: [{ assertion: 'a' }] } }),
      withViewFacets({ schema: { ...facet, fields: [{ type: 'integer' }] } }),
    ];
    for (const event of broken) expect(validate(event), JSON.stringify(event)).toBe(false);
  });
});

describe('lineageRunId', () => {
  it('maps a Tidemark run id to the same version-5 UUID every time, and different ids apart', () => {
    const a = lineageRunId('run_000001');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(lineageRunId('run_000001')).toBe(a);
    expect(lineageRunId('run_000002')).not.toBe(a);
  });
});

/**
 * Retries: a run that fails transiently (an I/O or database error) is retried with
 * exponential backoff (base · 2^(attempt-2), capped) up to the maximum number of
 * attempts, then given up; a run that fails validation is never retried. A run that
 * fails on a full disk (the driver's real SQLITE_FULL / disk_full) follows the slower
 * storage schedule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/run';
import {
  backoffFor,
  backoffMs,
  DEFAULT_RETRY,
  STORAGE_BACKOFF,
  type RetryPolicy,
} from '../../src/scheduling/retry';
import { arrivalRetryDelayMs } from '../../src/scheduling/arrival-watcher';
import { pgDiskFullError, sqliteFullError } from '../support/disk-full';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { countRows } from '../support/runtime';
import { createManagedRuntime, day, listRuns, valuesOf, type ManagedRuntime } from '../support/managed';

const contract = (expectations = '[]') => `
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
expectations: ${expectations}
features:
  - { name: reading, column: reading }
`;

const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 60_000, maxDelayMs: 150_000 };

describe('backoffMs', () => {
  it('doubles from the base for each attempt after the second and stops at the cap', () => {
    const p: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 10_000 };
    expect([2, 3, 4, 5, 6, 7].map((n) => backoffMs(p, n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('has a finite default: a few attempts, seconds apart, capped at minutes', () => {
    expect(DEFAULT_RETRY.maxAttempts).toBeGreaterThan(1);
    expect(backoffMs(DEFAULT_RETRY, 2)).toBe(DEFAULT_RETRY.baseDelayMs);
    expect(backoffMs(DEFAULT_RETRY, 30)).toBe(DEFAULT_RETRY.maxDelayMs);
  });

  it('backs a full disk off on its own schedule: 1, 2, 4, 8, 16 min by default', () => {
    const storage = backoffFor(DEFAULT_RETRY, 'storage');
    expect(storage).toBe(STORAGE_BACKOFF);
    expect([2, 3, 4, 5, 6].map((n) => backoffMs(storage, n))).toEqual([
      60_000, 120_000, 240_000, 480_000, 960_000,
    ]);
    expect(backoffFor(DEFAULT_RETRY, 'transient')).toBe(DEFAULT_RETRY);
    // A policy without a storage schedule (tests' "no retries") treats it like the rest.
    expect(backoffFor(POLICY, 'storage')).toBe(POLICY);
  });

  it('waits minutes, not seconds, before retrying an arrival that found the disk full', async () => {
    const full = await sqliteFullError();
    expect([1, 2, 3].map((a) => arrivalRetryDelayMs(a, full))).toEqual([60_000, 120_000, 240_000]);
    expect(arrivalRetryDelayMs(1, new Error('connect ECONNREFUSED'))).toBe(2_000);
    expect(arrivalRetryDelayMs(8, new Error('connect ECONNREFUSED'))).toBe(60_000);
  });
});

describe(`retries (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  afterEach(() => rt.dispose());

  /** A runtime whose first `failures` commits throw a plain (transient) error. */
  async function flaky(failures: number, yaml = contract()): Promise<{ attempts: () => number }> {
    let calls = 0;
    rt = await createManagedRuntime({
      contracts: [yaml],
      retry: POLICY,
      writeHook: (stage) => {
        if (stage !== 'features') return;
        calls += 1;
        if (calls <= failures) throw new Error(`database unreachable (simulated, call ${calls})`);
      },
    });
    return { attempts: () => calls };
  }

  const ingest = () =>
    rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: [{ day: day(1), sensor: 'S', reading: 7 }],
      actor: 'test',
    });

  async function retryOf(run: Run): Promise<Run | undefined> {
    const found = await listRuns(rt, { parentRunId: run.id, trigger: 'retry' });
    expect(found.length).toBeLessThanOrEqual(1);
    return found[0];
  }

  /** Moves the clock to the retry's notBefore and waits for its end state. */
  async function runWhenDue(retry: Run): Promise<Run> {
    rt.clock.set(retry.notBefore!);
    return rt.dispatcher.submit(retry);
  }

  it('retries with exponential backoff, then gives up after the maximum number of attempts', async () => {
    const flakiness = await flaky(Infinity);
    let run = await ingest();
    const chain: Run[] = [run];
    for (;;) {
      const failedAt = run.finishedAt!;
      expect(run).toMatchObject({ status: 'failed', errorKind: 'transient' });
      expect(run.error).toMatch(/database unreachable/);
      const retry = await retryOf(run);
      if (!retry) break;
      expect(retry).toMatchObject({
        status: 'queued',
        trigger: 'retry',
        attempt: run.attempt + 1,
        parentRunId: run.id,
        notBefore: failedAt + backoffMs(POLICY, run.attempt + 1),
      });
      run = await runWhenDue(retry);
      chain.push(run);
    }

    expect(chain.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    // 60 s, 120 s, then 240 s capped at 150 s.
    expect(chain.slice(1).map((r, i) => r.notBefore! - chain[i]!.finishedAt!)).toEqual([
      60_000, 120_000, 150_000,
    ]);
    expect(flakiness.attempts()).toBe(POLICY.maxAttempts);
    expect(await listRuns(rt, { status: 'queued' })).toEqual([]);
    expect(await countRows(rt, T.featureRows)).toBe(0);
    const raw = await rt.store.rawBatches.forRun(chain[0]!.id);
    for (const r of chain) expect(await rt.store.rawBatches.forRun(r.id)).toEqual(raw);
  });

  it('does not start a retry before its backoff has passed', async () => {
    await flaky(1);
    const failed = await ingest();
    const retry = (await retryOf(failed))!;

    rt.clock.set(retry.notBefore! - 1);
    rt.dispatcher.kick('sensor', 'dev');
    await rt.dispatcher.sweep();

    expect((await rt.store.runs.get(retry.id))!.status).toBe('queued');
    expect((await runWhenDue(retry)).status).toBe('succeeded');
  });

  it('stops retrying once an attempt succeeds, and serves what it wrote', async () => {
    await flaky(2);
    const first = await ingest();
    const second = await runWhenDue((await retryOf(first))!);
    expect(second).toMatchObject({ status: 'failed', attempt: 2 });
    const third = await runWhenDue((await retryOf(second))!);

    expect(third).toMatchObject({ status: 'succeeded', attempt: 3, counts: { written: 1 } });
    expect(await retryOf(third)).toBeUndefined();
    expect(await valuesOf(rt, 'sensor', 'S')).toMatchObject({ values: { reading: 7 }, runId: third.id });
    expect(await listRuns(rt, { status: 'queued' })).toEqual([]);
  });

  it('retries a run that failed on a full disk on the storage schedule, then gives up after its attempts', async () => {
    const full =
      testEngine() === 'postgres'
        ? await pgDiskFullError(process.env.TEST_DATABASE_URL!)
        : await sqliteFullError();
    const storage = { maxAttempts: 3, baseDelayMs: 600_000, maxDelayMs: 900_000 };
    let calls = 0;
    rt = await createManagedRuntime({
      contracts: [contract()],
      retry: { ...POLICY, storage },
      writeHook: (stage) => {
        if (stage !== 'features') return;
        calls += 1;
        throw full;
      },
    });

    let run = await ingest();
    const chain: Run[] = [run];
    for (let retry = await retryOf(run); retry; retry = await retryOf(run)) {
      run = await runWhenDue(retry);
      chain.push(run);
    }

    for (const r of chain) {
      expect(r).toMatchObject({ status: 'failed', errorKind: 'storage' });
      expect(r.error).toMatch(/^disk full: the database has no space left \((SQLITE_FULL|SQLSTATE 53100)\)/);
    }
    // 10 min, then 20 min capped at 15: the storage schedule, not the transient 60 s / 120 s.
    expect(chain.slice(1).map((r, i) => r.notBefore! - chain[i]!.finishedAt!)).toEqual([600_000, 900_000]);
    expect(calls).toBe(storage.maxAttempts);
    expect(await countRows(rt, T.featureRows)).toBe(0);
  });

  it('never retries a run that failed a blocking expectation', async () => {
    await flaky(0, contract('[{ expect: row_count_between, min: 2, severity: fail }]'));

    const failed = await ingest();

    expect(failed).toMatchObject({ status: 'failed', errorKind: 'validation' });
    expect(failed.error).toMatch(/validation failed: row_count_between/);
    expect(await retryOf(failed)).toBeUndefined();
    expect(await listRuns(rt, { status: 'queued' })).toEqual([]);
    expect((await listRuns(rt)).map((r) => r.id)).toEqual([failed.id]);
  });
});

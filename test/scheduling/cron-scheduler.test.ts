/**
 * Cron schedules on a real runtime with fake timers driving node-schedule: a firing
 * at the right minute and not before, jobs following apply, promote and retire
 * without a restart, one job per environment, overlapping firings skipped, and
 * "nothing new to run" logged as information rather than as an error.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/errors';
import { parseContract } from '../../src/contracts/parse';
import { createLogger, type Logger } from '../../src/observability/logger';
import { CronScheduler, type RunTriggerer } from '../../src/scheduling/cron-scheduler';
import type { TriggerOptions } from '../../src/pipeline/run.service';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { casesContract } from '../fixtures/contracts/cases';

const CSV = 'date,country,cases\n2024-01-01,DEU,1\n2024-01-01,FRA,2\n';

/** A csv contract over sales/*.csv; `schedule` is the YAML flow mapping, or '' for none. */
function contract(version: string, schedule: string, name = 'sales'): string {
  return casesContract({ name, version, schedule });
}

const at = (h: number, m: number, s = 0) => Date.UTC(2025, 5, 2, h, m, s);

interface Call {
  at: number;
  opts: TriggerOptions;
  result: Promise<Run>;
}

/** Forwards to `inner` (the real run service by default) and records every call with its time. */
function recording(inner: RunTriggerer): RunTriggerer & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    trigger(opts) {
      const result = inner.trigger(opts);
      calls.push({ at: Date.now(), opts, result });
      return result;
    },
  };
}

function capturingLogger(): {
  logger: Logger;
  lines: Array<{ level: string; msg: string; [k: string]: unknown }>;
} {
  const lines: Array<{ level: string; msg: string }> = [];
  return { lines, logger: createLogger('debug', { write: (s: string) => void lines.push(JSON.parse(s)) }) };
}

describe(`cron scheduler (${testEngine()})`, () => {
  let rt: TestRuntime | undefined;
  let scheduler: CronScheduler | undefined;

  afterEach(async () => {
    await scheduler?.stop();
    vi.useRealTimers();
    await rt?.dispose();
    scheduler = undefined;
    rt = undefined;
  });

  async function setUp(contracts: string[], runs?: (rt: TestRuntime) => RunTriggerer) {
    rt = await createTestRuntime({ contracts });
    const { logger, lines } = capturingLogger();
    const triggerer = recording(runs ? runs(rt) : rt.runs);
    scheduler = new CronScheduler({ runs: triggerer, registry: rt.registry, logger });
    const s = scheduler;
    // Wired as serve wires it: every apply or promote through the lifecycle refreshes the jobs.
    const refreshes: Promise<void>[] = [];
    rt.contracts.onChange(() => void refreshes.push(s.refresh()));
    const refreshed = () => Promise.all(refreshes);
    return { rt, scheduler: s, calls: triggerer.calls, lines, refreshed };
  }

  it('fires */5 at the next multiple of five minutes, not before, and the run succeeds', async () => {
    const { rt, scheduler, calls } = await setUp([contract('1.0.0', "{ cron: '*/5 * * * *' }")]);
    await rt.land('sales/2024-01-01.csv', CSV);
    vi.useFakeTimers();
    vi.setSystemTime(at(10, 2, 30));

    await scheduler.start();
    expect(scheduler.jobs()).toEqual([
      {
        contract: 'sales',
        version: '1.0.0',
        environment: 'dev',
        cron: '*/5 * * * *',
        timezone: 'UTC',
        nextInvocation: new Date(at(10, 5)),
      },
    ]);

    await vi.advanceTimersByTimeAsync(at(10, 5) - at(10, 2, 30) - 1);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => new Date(c.at).toISOString())).toEqual([new Date(at(10, 5)).toISOString()]);
    expect(calls[0]!.opts).toEqual({
      contract: 'sales',
      environment: 'dev',
      actor: 'system:schedule',
      trigger: 'schedule',
    });

    const run = await calls[0]!.result;
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'schedule', createdBy: 'system:schedule' });
    expect(run.counts.written).toBe(2);
    expect(scheduler.jobs()[0]!.nextInvocation).toEqual(new Date(at(10, 10)));
  });

  it('logs "nothing new to run" at info when a firing finds no unread file, and keeps the job', async () => {
    const { scheduler, calls, lines } = await setUp([contract('1.0.0', "{ cron: '0 * * * *' }")]);
    vi.useFakeTimers();
    vi.setSystemTime(at(10, 59));
    await scheduler.start();

    await vi.advanceTimersByTimeAsync(60_000);
    await expect(calls[0]!.result).rejects.toThrow(/nothing new to run/);
    await vi.advanceTimersByTimeAsync(0);

    expect(lines.filter((l) => l.msg === 'nothing new to run')).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(scheduler.jobs()).toHaveLength(1);
  });

  it('logs any other trigger failure as a JSON error with the contract and environment', async () => {
    const { scheduler, lines } = await setUp([contract('1.0.0', "{ cron: '0 * * * *' }")], () => ({
      trigger: () => Promise.reject(new Error('database unreachable')),
    }));
    vi.useFakeTimers();
    vi.setSystemTime(at(10, 59));
    await scheduler.start();

    await vi.advanceTimersByTimeAsync(60_000);

    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'run not triggered',
      contract: 'sales',
      environment: 'dev',
      trigger: 'schedule',
    });
    expect((errors[0]!.err as { message: string }).message).toBe('database unreachable');
  });

  it('skips a firing while the previous trigger of the same job is still running', async () => {
    const pending: Array<() => void> = [];
    const { scheduler, calls, lines } = await setUp([contract('1.0.0', "{ cron: '* * * * *' }")], () => ({
      trigger: () =>
        new Promise<Run>((_resolve, reject) => pending.push(() => reject(new InputError('nothing new')))),
    }));
    vi.useFakeTimers();
    vi.setSystemTime(at(10, 0, 30));
    await scheduler.start();

    await vi.advanceTimersByTimeAsync(30_000); // 10:01 fires
    await vi.advanceTimersByTimeAsync(60_000); // 10:02 finds 10:01 still running
    expect(calls).toHaveLength(1);
    expect(lines.filter((l) => l.msg.startsWith('scheduled firing skipped'))).toHaveLength(1);

    pending[0]!();
    await vi.advanceTimersByTimeAsync(60_000); // 10:03 runs again
    expect(calls.map((c) => c.at)).toEqual([at(10, 1), at(10, 3)]);
  });

  it('has no job for a contract without a cron', async () => {
    const { scheduler } = await setUp([
      contract('1.0.0', '{ onArrival: true }', 'arrivals_only'),
      contract('1.0.0', '', 'unscheduled'),
      contract('1.0.0', "{ cron: '0 6 * * *' }", 'daily'),
    ]);
    await scheduler.start();
    expect(scheduler.jobs().map((j) => j.contract)).toEqual(['daily']);
  });

  it('replaces the job when a new version with another cron is applied, without a restart', async () => {
    const { rt, scheduler, calls, refreshed } = await setUp([contract('1.0.0', "{ cron: '0 6 * * *' }")]);
    await rt.land('sales/2024-01-01.csv', CSV);
    vi.useFakeTimers();
    vi.setSystemTime(at(5, 0));
    await scheduler.start();
    expect(scheduler.jobs()[0]).toMatchObject({
      version: '1.0.0',
      cron: '0 6 * * *',
      nextInvocation: new Date(at(6, 0)),
    });

    await rt.contracts.apply(
      [parseContract(contract('1.0.1', "{ cron: '30 7 * * *', timezone: 'Europe/Berlin' }"), 'v2.yaml')],
      'test',
    );
    await refreshed();

    expect(scheduler.jobs()).toEqual([
      {
        contract: 'sales',
        version: '1.0.1',
        environment: 'dev',
        cron: '30 7 * * *',
        timezone: 'Europe/Berlin',
        nextInvocation: new Date(at(5, 30)), // 07:30 in Berlin (CEST) is 05:30 UTC
      },
    ]);
    await vi.advanceTimersByTimeAsync(at(6, 30) - at(5, 0));
    expect(calls.map((c) => c.at)).toEqual([at(5, 30)]); // the old 06:00 job is gone
    expect(await calls[0]!.result).toMatchObject({ status: 'succeeded', contractVersion: '1.0.1' });
  });

  it('keeps one job per environment after a promotion, and cancels a retired one', async () => {
    const { rt, scheduler, refreshed } = await setUp([contract('1.0.0', "{ cron: '0 6 * * *' }")]);
    await scheduler.start();
    expect(scheduler.jobs().map((j) => j.environment)).toEqual(['dev']);

    await rt.land('sales/2024-01-01.csv', CSV);
    const run = await rt.runs.trigger({ contract: 'sales', environment: 'dev', actor: 'test' });
    expect(run.status).toBe('succeeded');
    await rt.contracts.promote('sales', '1.0.0', 'test', 'test');
    await refreshed();

    const jobs = scheduler.jobs().map((j) => `${j.environment}:${j.contract}@${j.version} ${j.cron}`);
    expect(jobs.sort()).toEqual(['dev:sales@1.0.0 0 6 * * *', 'test:sales@1.0.0 0 6 * * *']);

    await rt.store.contracts.insertPromotion({
      contractName: 'sales',
      version: '1.0.0',
      environment: 'dev',
      fromEnvironment: null,
      state: 'retired',
      createdAt: rt.clock.now(),
      createdBy: 'test',
      reason: 'retired in a test',
    });
    await scheduler.refresh(); // retiring has no lifecycle call yet: refresh as its caller would
    expect(scheduler.jobs().map((j) => j.environment)).toEqual(['test']);
  });

  it('cancels every job on stop', async () => {
    const { scheduler } = await setUp([contract('1.0.0', "{ cron: '0 6 * * *' }")]);
    await scheduler.start();
    await scheduler.stop();
    expect(scheduler.jobs()).toEqual([]);
    await scheduler.refresh();
    expect(scheduler.jobs()).toEqual([]);
  });
});

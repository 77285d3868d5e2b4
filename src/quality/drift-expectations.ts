/**
 * distribution_stable and null_rate_stable: the column's profile over the rows the run
 * stores, compared with a baseline (the merged profiles of earlier runs, loaded before
 * validation and found in ctx.baselines by the check's index). Table checks: severity
 * `reject` behaves as `fail`, `warn` only records a warning.
 *
 * With no baseline yet (a first run, or no earlier run stored the column) the check
 * holds, and its details say why, so a reader never mistakes "nothing to compare" for
 * "no drift".
 */
import type { TableCheck, TableInput, TableOutcome } from './checks.types';
import type { CompileEnv } from './compile-env';
import { NUMERIC_TYPES } from './compile-env';
import { DEFAULT_BASELINE, describeBaseline, type Baseline } from './profile/baseline';
import { driftStatistic, nullRate, type DriftMethod } from './profile/drift';

const NO_BASELINE =
  'no baseline yet: no earlier succeeded run of this contract and environment stored a profile of this column';

function driftCheck(env: CompileEnv, message: string, evaluate: TableCheck['evaluate']): TableCheck {
  return { kind: 'table', spec: env.spec, failsRun: env.spec.severity !== 'warn', message, evaluate };
}

function baselineDetails(b: Baseline): Record<string, unknown> {
  return { baseline: b.description, baselineRuns: b.runIds, baselineRows: b.profile?.count ?? 0 };
}

function noBaseline(count: number, details: Record<string, unknown>, b: Baseline | undefined): TableOutcome {
  return {
    success: true,
    elementCount: count,
    unexpectedCount: 0,
    sample: [],
    observedValue: null,
    details: { ...details, ...(b ? baselineDetails(b) : {}), note: NO_BASELINE },
  };
}

export function distributionStable(env: CompileEnv): TableCheck {
  const method: DriftMethod = env.spec.method ?? 'psi';
  const col = method === 'ks' ? env.column(NUMERIC_TYPES) : env.column();
  const max = env.spec.max ?? env.fail('needs `max` (the largest drift statistic allowed)');
  if (!(max > 0)) env.fail(`has max ${max}, expected a number greater than 0`);
  const spec = env.spec.baseline ?? DEFAULT_BASELINE;
  return driftCheck(env, `distribution of ${col} drifted (${method} above ${max})`, (input: TableInput) => {
    const current = input.cache.profile(col);
    const b = input.ctx.baselines?.get(input.index);
    const head = { method, max, baselineSpec: describeBaseline(spec) };
    if (!b?.profile) return noBaseline(current.count, head, b);
    const observed = driftStatistic(method, b.profile, current);
    return {
      // Nothing to compare on one side (an all-null column): unmeasurable, so unsuccessful, as aggregates are.
      success: observed !== null && observed <= max,
      elementCount: current.count - current.nulls,
      unexpectedCount: 0,
      sample: [],
      observedValue: observed,
      details: { ...head, ...baselineDetails(b) },
    };
  });
}

export function nullRateStable(env: CompileEnv): TableCheck {
  const col = env.column();
  const maxChange = env.spec.maxChange ?? env.fail('needs `maxChange` (0..1)');
  if (!(maxChange >= 0 && maxChange <= 1)) env.fail(`has maxChange ${maxChange}, expected 0..1`);
  const spec = env.spec.baseline ?? DEFAULT_BASELINE;
  return driftCheck(env, `null rate of ${col} changed by more than ${maxChange}`, (input: TableInput) => {
    const current = input.cache.profile(col);
    const b = input.ctx.baselines?.get(input.index);
    const head = { maxChange, baselineSpec: describeBaseline(spec), nullRate: nullRate(current) };
    if (!b?.profile) return noBaseline(current.count, head, b);
    const now = nullRate(current);
    const before = nullRate(b.profile);
    const change = now === null || before === null ? null : Math.abs(now - before);
    return {
      success: change !== null && change <= maxChange,
      elementCount: current.count,
      unexpectedCount: current.nulls,
      sample: [],
      observedValue: change,
      details: { ...head, baselineNullRate: before, ...baselineDetails(b) },
    };
  });
}

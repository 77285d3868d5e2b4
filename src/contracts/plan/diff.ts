/**
 * Comparing two replays of one run, pure: feature values row by row, rejects row by
 * row, expectation verdicts result by result. Accumulates over the runs of a plan.
 */
import type { Value } from '../../domain/value';
import type { ExpectationResult, ValidationReport } from '../../domain/validation-report';
import { describeResult, type RejectLabel, type Replay } from './replay';
import type { ExpectationChange, FeatureChange, RejectChange } from './plan.types';

const SAMPLE = 5;

export class PlanDiff {
  private readonly features = new Map<string, FeatureChange>();
  private readonly newly = new Map<string, RejectChange>();
  private readonly noLonger = new Map<string, RejectChange>();
  readonly expectations: ExpectationChange[] = [];
  rowsDropped = 0;
  rowsAdded = 0;

  constructor(
    private readonly activeFeatures: readonly string[],
    private readonly proposedFeatures: readonly string[],
  ) {
    const inProposed = new Set(proposedFeatures);
    const inActive = new Set(activeFeatures);
    for (const f of activeFeatures)
      this.features.set(f, blank(f, inProposed.has(f) ? 'unchanged' : 'removed'));
    for (const f of proposedFeatures) if (!inActive.has(f)) this.features.set(f, blank(f, 'added'));
  }

  /** `files`: raw batch id → file name, for the samples a person looks up. */
  add(runId: string, active: Replay, proposed: Replay, files: ReadonlyMap<string, string> = new Map()): void {
    this.compareRows(active, proposed);
    this.compareRejects(runId, active.rejects, proposed.rejects, files);
    this.compareReports(runId, active.report, proposed.report);
  }

  private compareRows(active: Replay, proposed: Replay): void {
    const shared = this.activeFeatures.filter((f) => this.features.get(f)!.status !== 'removed');
    for (const [key, a] of active.rows) {
      const p = proposed.rows.get(key);
      if (!p) {
        this.rowsDropped++;
        continue;
      }
      for (const f of shared) this.compareValue(this.features.get(f)!, key, a[f] ?? null, p[f] ?? null);
    }
    for (const key of proposed.rows.keys()) if (!active.rows.has(key)) this.rowsAdded++;
  }

  private compareValue(c: FeatureChange, key: string, a: Value, p: Value): void {
    c.rowsCompared++;
    if (same(a, p)) return;
    c.status = 'changed';
    c.rowsChanged++;
    if (a !== null && p === null) c.becomeNull++;
    if (typeof a === 'number' && typeof p === 'number') {
      const d = Math.abs(p - a);
      if (c.maxAbsDiff === null || d > c.maxAbsDiff) c.maxAbsDiff = d;
    }
    if (c.sample.length < SAMPLE) {
      const [entity, time] = key.split('\u0000') as [string, string];
      c.sample.push({
        entity: readable(entity),
        eventTime: new Date(Number(time)).toISOString(),
        active: a,
        proposed: p,
      });
    }
  }

  private compareRejects(
    runId: string,
    active: Map<string, RejectLabel>,
    proposed: Map<string, RejectLabel>,
    files: ReadonlyMap<string, string>,
  ): void {
    for (const [row, why] of proposed) if (!active.has(row)) tally(this.newly, runId, row, why, files);
    for (const [row, why] of active) if (!proposed.has(row)) tally(this.noLonger, runId, row, why, files);
  }

  private compareReports(
    runId: string,
    active: ValidationReport | null,
    proposed: ValidationReport | null,
  ): void {
    const a = keyed(active?.results ?? []);
    const p = keyed(proposed?.results ?? []);
    for (const key of new Set([...a.keys(), ...p.keys()])) {
      const before = a.get(key);
      const after = p.get(key);
      if (
        before &&
        after &&
        before.success === after.success &&
        before.unexpectedCount === after.unexpectedCount
      )
        continue;
      // An expectation the active version does not have only matters when it would not hold.
      if (!before && after?.success) continue;
      if (before && !after && before.success) continue;
      const any = (after ?? before)!;
      this.expectations.push({
        runId,
        expectation: describeResult(any),
        severity: any.severity,
        active: before ? verdict(before) : null,
        proposed: after ? verdict(after) : null,
      });
    }
  }

  result(): {
    features: FeatureChange[];
    newlyRejected: RejectChange[];
    noLongerRejected: RejectChange[];
  } {
    const byRows = (x: RejectChange, y: RejectChange) => y.rows - x.rows;
    return {
      features: [...this.features.values()],
      newlyRejected: [...this.newly.values()].sort(byRows),
      noLongerRejected: [...this.noLonger.values()].sort(byRows),
    };
  }
}

/** An entity key as a person writes it: `ARG`, `France/Alsace` (stored keys are JSON). */
function readable(entityKey: string): string {
  try {
    const v: unknown = JSON.parse(entityKey);
    if (Array.isArray(v)) return v.map((p) => (p === null ? 'null' : String(p))).join('/');
    return String(v);
  } catch {
    return entityKey;
  }
}

function blank(feature: string, status: FeatureChange['status']): FeatureChange {
  return { feature, status, rowsCompared: 0, rowsChanged: 0, maxAbsDiff: null, becomeNull: 0, sample: [] };
}

/** Equal values; numbers equal to the last few bits (a sum in another order is not a change). */
function same(a: Value, p: Value): boolean {
  if (a === p) return true;
  if (typeof a === 'number' && typeof p === 'number')
    return Math.abs(a - p) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(p));
  return false;
}

function tally(
  into: Map<string, RejectChange>,
  runId: string,
  row: string,
  why: RejectLabel,
  files: ReadonlyMap<string, string>,
): void {
  const k = `${why.rule}\u0000${why.column ?? ''}`;
  let c = into.get(k);
  if (!c) into.set(k, (c = { ...why, rows: 0, sample: [] }));
  c.rows++;
  if (c.sample.length < SAMPLE) {
    const at = row.lastIndexOf(':');
    const rawBatchId = row.slice(0, at);
    const file = files.get(rawBatchId);
    c.sample.push({ runId, rawBatchId, rowNumber: Number(row.slice(at + 1)), ...(file ? { file } : {}) });
  }
}

/** Results keyed by what they check (an expectation may appear twice: counted by occurrence). */
function keyed(results: ExpectationResult[]): Map<string, ExpectationResult> {
  const out = new Map<string, ExpectationResult>();
  const seen = new Map<string, number>();
  for (const r of results) {
    const base = describeResult(r);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.set(n === 0 ? base : `${base}#${n + 1}`, r);
  }
  return out;
}

const verdict = (r: ExpectationResult) => ({ success: r.success, unexpectedCount: r.unexpectedCount });

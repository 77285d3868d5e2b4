/**
 * Drift statistics between a baseline profile and the current one, read from their
 * sketches (no rows):
 * - psi: population stability index over the baseline's deciles (numbers) or the
 *   categories either side holds (text): Σ (a − e) · ln(a / e); 0.1 is a small shift,
 *   0.2 a notable one by the usual rule of thumb.
 * - ks: Kolmogorov–Smirnov distance, the largest gap between the two CDFs (numbers only).
 * - js: Jensen–Shannon divergence (base 2, so 0..1) over the same bins as psi.
 * Empty bins are floored at EPSILON so a bin one side lacks gives a large finite psi.
 */
import { sketchesOf, type Profile } from './profile';
import type { SortedKll } from './kll';

export type DriftMethod = 'psi' | 'ks' | 'js';
export const DRIFT_METHODS: readonly DriftMethod[] = ['psi', 'ks', 'js'];
const EPSILON = 1e-4;
const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The statistic, or null when either side has no value to compare. */
export function driftStatistic(method: DriftMethod, baseline: Profile, current: Profile): number | null {
  if (baseline.valueKind !== current.valueKind) return null;
  if (baseline.valueKind === 'numeric') {
    const b = sketchesOf(baseline).kll?.sorted();
    const c = sketchesOf(current).kll?.sorted();
    if (!b || !c || b.total === 0 || c.total === 0) return null;
    if (method === 'ks') return ks(b, c);
    const [e, a] = decileBins(b, c);
    return method === 'psi' ? psi(e, a) : js(e, a);
  }
  if (method === 'ks') return null;
  const bins = categoryBins(baseline, current);
  if (!bins) return null;
  return method === 'psi' ? psi(bins[0], bins[1]) : js(bins[0], bins[1]);
}

export function psi(expected: number[], actual: number[]): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, EPSILON);
    const a = Math.max(actual[i]!, EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

export function js(p: number[], q: number[]): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    if (p[i]! > 0) sum += 0.5 * p[i]! * Math.log2(p[i]! / m);
    if (q[i]! > 0) sum += 0.5 * q[i]! * Math.log2(q[i]! / m);
  }
  return Math.max(0, Math.min(1, sum));
}

function ks(b: SortedKll, c: SortedKll): number {
  let d = 0;
  for (const x of b.values) d = Math.max(d, Math.abs(b.cdf(x) - c.cdf(x)));
  for (const x of c.values) d = Math.max(d, Math.abs(b.cdf(x) - c.cdf(x)));
  return d;
}

/** Fractions of each side in the bins cut at the baseline's deciles (repeated edges merged). */
function decileBins(b: SortedKll, c: SortedKll): [number[], number[]] {
  const edges = [...new Set(DECILES.map((q) => b.quantile(q)!))];
  const fractions = (s: SortedKll): number[] => {
    const out: number[] = [];
    let below = 0;
    for (const x of edges) {
      const f = s.cdf(x);
      out.push(f - below);
      below = f;
    }
    out.push(1 - below);
    return out;
  };
  return [fractions(b), fractions(c)];
}

/** Fractions per category held by either side, plus one bin for everything else. */
function categoryBins(baseline: Profile, current: Profile): [number[], number[]] | null {
  const b = sketchesOf(baseline).topk;
  const c = sketchesOf(current).topk;
  if (!b || !c || b.n === 0 || c.n === 0) return null;
  const keys = new Set([...b.entries().keys(), ...c.entries().keys()]);
  const fractions = (t: NonNullable<typeof b>): number[] => {
    const out: number[] = [];
    let held = 0;
    for (const k of keys) {
      const n = t.entries().get(k) ?? 0;
      held += n;
      out.push(n / t.n);
    }
    out.push(Math.max(0, t.n - held) / t.n);
    return out;
  };
  return [fractions(b), fractions(c)];
}

/** Null rate among the rows profiled; null when there were none. */
export function nullRate(p: Profile): number | null {
  return p.count === 0 ? null : p.nulls / p.count;
}

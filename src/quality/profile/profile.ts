/**
 * The profile of one column or feature over a run's accepted rows: counts, moments
 * (Welford), a HyperLogLog distinct count, KLL quantiles and a histogram for numbers
 * (dates and timestamps as epoch ms), heavy hitters for text and booleans.
 *
 * A Profiler is fed one value at a time by the pass that already reads the column
 * (validation, or the sealing of feature rows) and allocates nothing per number. The
 * stored form keeps the sketches, so profiles merge: the baseline of a drift
 * expectation is the merge of the last N runs' profiles.
 */
import { HyperLogLog, hashNumber, hashString } from './hll';
import { Kll } from './kll';
import { TopK } from './topk';
import type { HistogramBin, Profile, ProfileKind, ValueKind } from '../../domain/profile';
import type { TextCodes } from '../../domain/clean-rows';

export type { HistogramBin, Profile, ProfileKind, TopValue, ValueKind } from '../../domain/profile';

export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
export const HISTOGRAM_BINS = 20;
export const TOP_VALUES = 10;

export const quantileKey = (q: number): string => `p${Math.round(q * 100)}`;

export class Profiler {
  count = 0;
  nulls = 0;
  private numbers = 0;
  private min = Infinity;
  private max = -Infinity;
  private mean = 0;
  private m2 = 0;
  private readonly hll = new HyperLogLog();
  private readonly kll = new Kll();
  private readonly topk = new TopK();
  private texts = 0;

  constructor(
    readonly name: string,
    readonly kind: ProfileKind,
  ) {}

  /** One cell. Numbers go to the moments and the KLL; strings and booleans to the heavy hitters. */
  add(v: unknown): void {
    this.count++;
    if (v === null || v === undefined) this.nulls++;
    else if (typeof v === 'number') this.addNumber(v);
    else this.addText(typeof v === 'string' ? v : String(v));
  }

  addNumber(x: number): void {
    if (!Number.isFinite(x)) return void this.nulls++;
    const n = ++this.numbers;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    const delta = x - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (x - this.mean);
    this.hll.addHash(hashNumber(x));
    this.kll.add(x);
  }

  addText(s: string): void {
    this.texts++;
    // A value already counted is already in the HLL: hash only the ones not held.
    if (!this.topk.increment(s)) this.hll.addHash(hashString(s));
  }

  /**
   * `n` cells of a text column as dictionary codes (0: null): the same profile as adding
   * each cell, with the heavy hitters counted exactly and each distinct text hashed once.
   */
  addCodes(codes: TextCodes, n: number): void {
    const counts = new Uint32Array(codes.texts.length);
    for (let i = 0; i < n; i++) counts[codes.code(i)]!++;
    this.count += n;
    this.nulls += counts[0]!;
    for (let c = 1; c < counts.length; c++) {
      const k = counts[c]!;
      if (k === 0) continue;
      const s = codes.texts[c]!;
      this.texts += k;
      this.topk.incrementBy(s, k);
      this.hll.addHash(hashString(s));
    }
  }

  /** The profile; `merge` of stored profiles gives the same shape. */
  finish(): Profile {
    const valueKind: ValueKind = this.texts > this.numbers ? 'text' : 'numeric';
    return build({
      name: this.name,
      kind: this.kind,
      valueKind,
      count: this.count,
      nulls: this.nulls,
      numbers: this.numbers,
      min: this.min,
      max: this.max,
      mean: this.mean,
      m2: this.m2,
      hll: this.hll,
      kll: valueKind === 'numeric' ? this.kll : null,
      topk: valueKind === 'text' ? this.topk : null,
    });
  }
}

interface Parts {
  name: string;
  kind: ProfileKind;
  valueKind: ValueKind;
  count: number;
  nulls: number;
  numbers: number;
  min: number;
  max: number;
  mean: number;
  m2: number;
  hll: HyperLogLog;
  kll: Kll | null;
  topk: TopK | null;
}

function build(p: Parts): Profile {
  const numeric = p.valueKind === 'numeric' && p.numbers > 0;
  const sorted = numeric && p.kll ? p.kll.sorted() : null;
  const profile: Profile = {
    name: p.name,
    kind: p.kind,
    valueKind: p.valueKind,
    count: p.count,
    nulls: p.nulls,
    distinct: p.hll.estimate(),
    min: numeric ? p.min : null,
    max: numeric ? p.max : null,
    mean: numeric ? p.mean : null,
    stddev: numeric && p.numbers > 1 ? Math.sqrt(p.m2 / (p.numbers - 1)) : null,
    quantiles: sorted
      ? Object.fromEntries(QUANTILES.map((q) => [quantileKey(q), sorted.quantile(q)!]))
      : null,
    histogram: sorted ? histogram(sorted, p.min, p.max, p.numbers) : null,
    topValues: p.topk ? p.topk.top(TOP_VALUES) : null,
    sketch: { hll: p.hll.toBase64(), m2: p.m2 },
  };
  if (p.kll) profile.sketch.kll = p.kll.toJSON();
  if (p.topk) profile.sketch.topk = p.topk.toJSON();
  return profile;
}

/**
 * Equal bins between min and max, counted from the KLL's CDF at the bin edges (exact
 * while the sketch holds every value, within its rank error after): the pass that
 * profiles does not know min and max until it ends, and a second pass is what
 * profiling must not cost.
 */
function histogram(sorted: { cdf(x: number): number }, min: number, max: number, n: number): HistogramBin[] {
  if (min === max) return [{ lo: min, hi: max, count: n }];
  const width = (max - min) / HISTOGRAM_BINS;
  const bins: HistogramBin[] = [];
  let below = 0;
  for (let i = 0; i < HISTOGRAM_BINS; i++) {
    const lo = min + i * width;
    const hi = i === HISTOGRAM_BINS - 1 ? max : min + (i + 1) * width;
    // Bins are (lo, hi], the first one [min, hi]: the CDF counts values <= x.
    const upTo = i === HISTOGRAM_BINS - 1 ? n : Math.round(n * sorted.cdf(hi));
    bins.push({ lo, hi, count: upTo - below });
    below = upTo;
  }
  return bins;
}

/** The sketches of a stored profile, revived. */
export function sketchesOf(p: Profile): { hll: HyperLogLog; kll: Kll | null; topk: TopK | null } {
  return {
    hll: HyperLogLog.fromBase64(p.sketch.hll),
    kll: p.sketch.kll ? Kll.fromJSON(p.sketch.kll) : null,
    topk: p.sketch.topk ? TopK.fromJSON(p.sketch.topk) : null,
  };
}

/**
 * Several profiles of the same name as one (a drift baseline): counts add, moments
 * combine (Chan et al.'s parallel variance), sketches merge. Null for none.
 */
export function mergeProfiles(profiles: readonly Profile[]): Profile | null {
  if (profiles.length === 0) return null;
  const first = profiles[0]!;
  const acc: Parts = {
    name: first.name,
    kind: first.kind,
    valueKind: first.valueKind,
    count: 0,
    nulls: 0,
    numbers: 0,
    min: Infinity,
    max: -Infinity,
    mean: 0,
    m2: 0,
    hll: new HyperLogLog(),
    kll: first.valueKind === 'numeric' ? new Kll() : null,
    topk: first.valueKind === 'text' ? new TopK() : null,
  };
  for (const p of profiles) {
    const s = sketchesOf(p);
    const n = p.valueKind === 'numeric' ? p.count - p.nulls : 0;
    acc.count += p.count;
    acc.nulls += p.nulls;
    acc.hll.merge(s.hll);
    if (acc.kll && s.kll) acc.kll.merge(s.kll);
    if (acc.topk && s.topk) acc.topk.merge(s.topk);
    if (n > 0 && p.mean !== null) {
      const total = acc.numbers + n;
      const delta = p.mean - acc.mean;
      acc.m2 += p.sketch.m2 + (delta * delta * acc.numbers * n) / total;
      acc.mean += (delta * n) / total;
      acc.numbers = total;
      acc.min = Math.min(acc.min, p.min!);
      acc.max = Math.max(acc.max, p.max!);
    }
  }
  return build(acc);
}

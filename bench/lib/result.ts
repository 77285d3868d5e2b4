/** The shape every case reports: table rows (medians, baselines, ratios, targets) and free-form details. */
import { median } from './stats';

export interface Measure {
  median: number;
  samples: number[];
  unit: string;
  better: 'higher' | 'lower';
}

export interface ResultRow {
  case: string;
  what: string;
  tidemark: Measure;
  baseline?: { name: string; m: Measure };
  /** How many times slower (or bigger) Tidemark is than the baseline: > 1 is worse. */
  ratio?: number;
  target?: { text: string; met: boolean };
}

export interface CaseResult {
  case: string;
  rows: ResultRow[];
  details: Record<string, unknown>;
}

export function measure(samples: number[], unit: string, better: Measure['better']): Measure {
  return { median: median(samples), samples: samples.map((s) => Math.round(s * 1000) / 1000), unit, better };
}

/** A table row; the ratio is oriented so that > 1 always means Tidemark is worse. */
export function row(
  c: string,
  what: string,
  tidemark: Measure,
  baseline?: { name: string; m: Measure },
  target?: ResultRow['target'],
): ResultRow {
  let ratio: number | undefined;
  if (baseline) {
    ratio =
      tidemark.better === 'higher'
        ? baseline.m.median / tidemark.median
        : tidemark.median / baseline.m.median;
  }
  return { case: c, what, tidemark, baseline, ratio, target };
}

/** `within(ratio, 3)` style targets. */
export function target(text: string, met: boolean): ResultRow['target'] {
  return { text, met };
}

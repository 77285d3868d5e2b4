/** Medians and percentiles over plain number arrays. */

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100); NaN for an empty list. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function max(xs: number[]): number {
  return xs.reduce((m, x) => (x > m ? x : m), -Infinity);
}

/** Milliseconds since an arbitrary origin, sub-millisecond, comparable across processes on one machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Runs `fn` and returns its duration in ms with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

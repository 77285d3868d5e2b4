/** Peak resident set size of this process while a function runs, sampled on a timer. */

export interface RssSample<T> {
  result: T;
  /** Bytes. */
  peak: number;
  /** Bytes, just before `fn` started. */
  before: number;
}

export async function sampleRss<T>(fn: () => Promise<T>, everyMs = 100): Promise<RssSample<T>> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  try {
    const result = await fn();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()), before };
  } finally {
    clearInterval(timer);
  }
}

export const MB = 1024 * 1024;

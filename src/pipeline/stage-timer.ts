/**
 * Stage timings of one run (Run.stages): each stage's wall time, in the order the run
 * went through them. Wall time on a monotonic clock, not the injectable Clock: a
 * timing says where the run waited, and tests drive the Clock by hand.
 */
import type { RunStage, RunStageName } from '../domain/run';

export class StageTimer {
  private readonly stages: RunStage[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Times `fn` as `name`; `rows` reads how many rows it handled from its result. A stage
   * that throws is recorded too: a failed run shows the stage it failed in and its time.
   */
  async time<T>(name: RunStageName, fn: () => Promise<T> | T, rows?: (result: T) => number): Promise<T> {
    const t0 = this.now();
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      this.add(name, this.now() - t0, null);
      throw err;
    }
    this.add(name, this.now() - t0, rows ? rows(result) : null);
    return result;
  }

  /** The stages so far; a stage entered twice (one per slice) adds up under one entry. */
  list(): RunStage[] {
    return this.stages.map((s) => ({ ...s, ms: Math.round(s.ms * 10) / 10 }));
  }

  private add(name: RunStageName, ms: number, rows: number | null): void {
    const seen = this.stages.find((s) => s.name === name);
    if (!seen) {
      this.stages.push({ name, ms, rows });
      return;
    }
    seen.ms += ms;
    if (rows !== null) seen.rows = (seen.rows ?? 0) + rows;
  }
}

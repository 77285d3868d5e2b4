/**
 * Where a run's time goes, without touching src/: the executor's own log lines
 * ('run started', 'rows read', 'run succeeded') timestamped as they are written,
 * plus timers wrapped around the store's history read and its transactions.
 */
import { createLogger, type Logger } from '../../src/observability/logger';
import type { Runtime } from '../../src/runtime';

export interface StageBreakdown {
  /** Hash + copy into the raw store + queue: trigger → 'run started'. */
  acquireMs: number;
  /** Parse + cleanse + filter: 'run started' → 'rows read'. */
  readMs: number;
  /** Stored history for windows and monotonic checks (one set-based query). */
  historyMs: number;
  /** Validation, transform, digest: 'rows read' → the commit transaction, less the history read. */
  validateTransformMs: number;
  /** The commit transaction (feature rows, rejects, lineage, run). */
  writeMs: number;
  /** After commit: events, waking the submitter. */
  afterMs: number;
}

export class StageTimer {
  readonly logger: Logger;
  private readonly marks = new Map<string, number>();
  private readonly txs: Array<{ start: number; end: number }> = [];
  private historyMs = 0;
  private t0 = 0;

  constructor() {
    this.logger = createLogger('info', {
      write: (line: string) => {
        const msg = /"msg":"([^"]*)"/.exec(line)?.[1];
        if (msg && !this.marks.has(msg)) this.marks.set(msg, performance.now());
      },
    });
  }

  /** Wraps the runtime's store so history reads and transactions are timed. */
  instrument(rt: Runtime): void {
    const features = rt.store.features;
    const history = features.history.bind(features);
    features.history = async (...args) => {
      const s = performance.now();
      try {
        return await history(...args);
      } finally {
        this.historyMs += performance.now() - s;
      }
    };
    const transaction = rt.store.transaction.bind(rt.store);
    rt.store.transaction = async (fn) => {
      const s = performance.now();
      try {
        return await transaction(fn);
      } finally {
        this.txs.push({ start: s, end: performance.now() });
      }
    };
  }

  /** Starts timing a run: what earlier runs marked is forgotten. */
  start(): void {
    this.marks.clear();
    this.txs.length = 0;
    this.historyMs = 0;
    this.t0 = performance.now();
  }

  breakdown(end: number): StageBreakdown {
    const started = this.marks.get('run started') ?? this.t0;
    const read = this.marks.get('rows read') ?? started;
    const write = this.txs
      .filter((t) => t.start >= read)
      .sort((a, b) => b.end - b.start - (a.end - a.start))[0] ?? { start: end, end };
    const r = (x: number) => Math.round(x);
    return {
      acquireMs: r(started - this.t0),
      readMs: r(read - started),
      historyMs: r(this.historyMs),
      validateTransformMs: r(write.start - read - this.historyMs),
      writeMs: r(write.end - write.start),
      afterMs: r(end - write.end),
    };
  }
}

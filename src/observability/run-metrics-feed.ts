/**
 * Feeds the server's run metrics from the durable run event log rather than from this
 * process's own executor, so `/metrics` counts runs finished by any process: a
 * `tidemark run` on the same store, another instance, the sweep. Each event is read
 * once by this process's log reader, so a run is counted once however many
 * processes serve the store.
 */
import type { Logger } from 'pino';
import type { Run } from '../domain/run';
import { recordRunEvent, type Metrics } from './metrics';

interface RunEventStream {
  subscribe(accept: (event: Run) => boolean): AsyncIterableIterator<Run>;
}

/** Starts counting; returns what stops it. */
export function feedRunMetricsFromLog(events: RunEventStream, metrics: Metrics, logger: Logger): () => void {
  let stopped = false;
  let current: AsyncIterableIterator<Run> | null = null;
  const loop = async () => {
    while (!stopped) {
      current = events.subscribe(() => true);
      try {
        for await (const run of current) recordRunEvent(metrics, run);
      } catch (err) {
        // The fanout ends a subscriber that fell too far behind: say so and read on
        // from where the log reader is (the counters miss what was skipped).
        if (!stopped) logger.warn({ error: String(err) }, 'run metrics fell behind the event log; resuming');
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 250));
    }
  };
  void loop();
  return () => {
    stopped = true;
    void current?.return?.();
  };
}

/**
 * Run status events: published once per status change, in order, for the runs this
 * runtime executes or changes (metrics, OpenLineage, the online store's sync, the
 * event log's reader follow them). Runs executed by the run thread of the same process
 * (`serve --role all`, cli/run-thread.ts) arrive by `relay`: they only wake those
 * who read the durable log, since the thread's own runtime already counted, emitted and
 * synced them.
 */
import { EventEmitter } from 'node:events';
import type { Run, RunListener } from '../domain/run';

export interface RunEventSink {
  publish(run: Run): void;
}

export class RunEventBus implements RunEventSink {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every GraphQL subscription is one listener; the default cap of 10 is a leak warning, not a limit we want.
    this.emitter.setMaxListeners(0);
  }

  publish(run: Run): void {
    // A snapshot: listeners must not see later mutations of the same object.
    this.emitter.emit('run', structuredClone(run));
  }

  subscribe(listener: RunListener): () => void {
    this.emitter.on('run', listener);
    return () => this.emitter.off('run', listener);
  }

  /** A status change of a run executed by another thread of this process. */
  relay(run: Run): void {
    this.emitter.emit('relayed', run);
  }

  /** Every status change this process knows of: its own and those relayed. */
  subscribeAll(listener: RunListener): () => void {
    this.emitter.on('run', listener);
    this.emitter.on('relayed', listener);
    return () => {
      this.emitter.off('run', listener);
      this.emitter.off('relayed', listener);
    };
  }
}

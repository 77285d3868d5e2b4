/**
 * Run status events: published once per status change, in order. The in-process
 * bus fans out to GraphQL subscriptions and the log; a Redis-backed bus can replace
 * it for several instances (see events/ in later work).
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
}

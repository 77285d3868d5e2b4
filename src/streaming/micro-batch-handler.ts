/**
 * One closed micro-batch to its outcome, exactly once:
 *
 * - messages at or before the committed position (re-read from the store) are
 *   acknowledged and dropped; the rest runs as one stream micro-batch;
 * - a run that fails transiently is given its dispatcher retries;
 * - committed: the messages are acknowledged, only now (a crash before this point
 *   redelivers them, and they are dropped as committed next time);
 * - failed, but something committed part of it meanwhile (a retry of an earlier
 *   attempt): the rest runs again; otherwise the failure is the caller's to handle
 *   (the consumer pauses), nothing acknowledged.
 */
import type { Logger } from 'pino';
import type { Environment } from '../domain/environment';
import type { RegisteredContract } from '../domain/registered-contract';
import type { Run } from '../domain/run';
import type { RunQueue } from '../pipeline/run.service';
import type { Store } from '../store/store';
import type { CommittedPosition } from './committed-position';
import { followRetries, type MicroBatchRunner } from './micro-batch';
import { rangeOf, type BrokerKind } from '../domain/stream-positions';
import type { BrokerMessage, BrokerSession, StreamHooks, StreamMetrics } from '../domain/stream';

export type BatchOutcome =
  | { kind: 'committed'; run: Run }
  /** Every message was committed already. */
  | { kind: 'done' }
  | { kind: 'failed'; run: Run; pending: BrokerMessage[] };

export interface HandlerDeps {
  runner: MicroBatchRunner;
  store: Store;
  dispatcher: RunQueue;
  metrics: StreamMetrics;
  hooks: StreamHooks;
}

export interface BatchContext {
  contract: RegisteredContract;
  environment: Environment;
  source: string;
  broker: BrokerKind;
  committed: CommittedPosition;
  session: BrokerSession;
  log: Logger;
  abort: AbortSignal;
  /** Told while a failed attempt waits for its retry. */
  waiting(message: string): void;
  /** Told what the micro-batch's run waits for (another run holding its lane), null once it does not. */
  waitingFor(message: string | null): void;
  /** How often to look at the lane while the run waits. */
  pollMs: number;
}

export async function handleMicroBatch(
  deps: HandlerDeps,
  batch: BrokerMessage[],
  c: BatchContext,
): Promise<BatchOutcome> {
  let pending = batch;
  for (;;) {
    pending = await dropCommitted(pending, c);
    if (pending.length === 0) return { kind: 'done' };
    const ours = new Set<string>();
    const watch = watchLane(deps.store, c, ours);
    let run: Run;
    try {
      run = await followRetries(await runOnce(deps, pending, c, ours), deps, c.abort, (failed, retry) => {
        ours.add(retry.id);
        c.waiting(`run ${failed.id} failed (${failed.error}); waiting for its retry ${retry.id}`);
      });
    } finally {
      watch.stop();
    }
    if (run.status === 'succeeded') {
      await acknowledge(deps, run, pending, c);
      return { kind: 'committed', run };
    }
    const before = pending.length;
    pending = await dropCommitted(pending, c);
    if (pending.length === 0) return { kind: 'done' };
    if (pending.length === before) return { kind: 'failed', run, pending };
  }
}

function runOnce(
  deps: HandlerDeps,
  messages: BrokerMessage[],
  c: BatchContext,
  ours: Set<string>,
): Promise<Run> {
  return deps.runner.run(
    {
      contract: c.contract,
      environment: c.environment,
      messages,
      source: c.source,
      broker: c.broker,
      stream: c.session.stream,
      consumer: c.session.consumer,
    },
    (queued) => ours.add(queued.id),
  );
}

/**
 * While the micro-batch's run waits, says which other run holds the lane and until
 * when its lease holds (e.g. a run of a crashed process, until it is recovered).
 */
function watchLane(store: Store, c: BatchContext, ours: Set<string>): { stop(): void } {
  let stopped = false;
  const look = async () => {
    const claims = await store.runs.runningClaims().catch(() => null);
    if (stopped || !claims) return;
    const holder = claims.find(
      (h) =>
        h.run.contractName === c.contract.name && h.run.environment === c.environment && !ours.has(h.run.id),
    );
    c.waitingFor(holder ? describeHolder(holder) : null);
  };
  const timer = setInterval(() => void look(), c.pollMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
      c.waitingFor(null);
    },
  };
}

function describeHolder(h: { run: Run; claimedBy: string | null; leaseUntil: number | null }): string {
  const lease = h.leaseUntil === null ? 'no lease' : `a lease until ${new Date(h.leaseUntil).toISOString()}`;
  return `waiting for run ${h.run.id} (${h.run.trigger}), held by ${h.claimedBy ?? 'nobody'} with ${lease}`;
}

/** Acknowledges and drops the messages at or before the committed position. */
async function dropCommitted(messages: BrokerMessage[], c: BatchContext): Promise<BrokerMessage[]> {
  await c.committed.refresh();
  const done = messages.filter((m) => c.committed.covers(m.position));
  if (done.length === 0) return messages;
  await c.session.ack(done);
  c.log.info(
    { skipped: done.length, committed: c.committed.value },
    'messages committed already; acknowledged',
  );
  return messages.filter((m) => !c.committed.covers(m.position));
}

async function acknowledge(
  deps: HandlerDeps,
  run: Run,
  messages: BrokerMessage[],
  c: BatchContext,
): Promise<void> {
  const { from, to } = rangeOf(messages.map((m) => m.position));
  c.committed.moveTo(to);
  await deps.hooks.afterCommit?.({
    contract: run.contractName,
    environment: c.environment,
    runId: run.id,
    from,
    to,
  });
  await c.session.ack(messages);
  deps.metrics.consumed(run.contractName, c.environment, messages.length);
  deps.metrics.rejected(run.contractName, c.environment, run.counts.rejected);
  const { read, rejected, written } = run.counts;
  c.log.info(
    { runId: run.id, from, to, messages: messages.length, read, rejected, written },
    'micro-batch committed',
  );
}

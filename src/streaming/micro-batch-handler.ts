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
import type { Environment } from '../config';
import type { RegisteredContract } from '../contracts/registry.types';
import type { Run } from '../pipeline/run.types';
import type { RunQueue } from '../pipeline/run.service';
import type { Store } from '../store/store';
import type { CommittedPosition } from './committed-position';
import { followRetries, type MicroBatchRunner } from './micro-batch';
import { rangeOf, type BrokerKind } from './positions';
import type { BrokerMessage, BrokerSession, StreamHooks, StreamMetrics } from './stream.types';

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
    const run = await followRetries(await runOnce(deps, pending, c), deps, c.abort, (failed, retry) =>
      c.waiting(`run ${failed.id} failed (${failed.error}); waiting for its retry ${retry.id}`),
    );
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

function runOnce(deps: HandlerDeps, messages: BrokerMessage[], c: BatchContext): Promise<Run> {
  return deps.runner.run({
    contract: c.contract,
    environment: c.environment,
    messages,
    source: c.source,
    broker: c.broker,
    stream: c.session.stream,
    consumer: c.session.consumer,
  });
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

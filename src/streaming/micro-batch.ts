/**
 * One micro-batch → one kept raw batch (JSON Lines, sha256, the broker positions it
 * covers) → one run with trigger `stream`, through the same queue, executor and
 * commit as every other run. Built from the runtime's public pieces: the raw store,
 * the store, `executor.enqueue` and `dispatcher.submit`.
 */
import type { Clock, IdGenerator } from '../clock';
import type { Environment } from '../domain/environment';
import type { RegisteredContract } from '../domain/registered-contract';
import type { RunExecutor } from '../pipeline/executor';
import type { RawStore } from '../pipeline/raw-store';
import type { RawBatch } from '../domain/raw-batch';
import type { Run } from '../domain/run';
import type { RunQueue } from '../pipeline/run.service';
import type { Store } from '../store/store';
import { isUniqueViolation } from '../store/dialect';
import { microBatchBytes } from './records';
import { rangeOf, type BatchPositions, type BrokerKind } from '../domain/stream-positions';
import { orAbort } from './signals';
import type { BrokerMessage } from '../domain/stream';

export interface MicroBatchDeps {
  store: Store;
  rawStore: RawStore;
  executor: Pick<RunExecutor, 'enqueue'>;
  dispatcher: RunQueue;
  clock: Clock;
  ids: IdGenerator;
}

export interface MicroBatch {
  contract: RegisteredContract;
  environment: Environment;
  messages: BrokerMessage[];
  source: string;
  broker: BrokerKind;
  stream: string;
  consumer: string;
}

export const STREAM_ACTOR = 'system:stream';

export class MicroBatchRunner {
  constructor(private readonly deps: MicroBatchDeps) {}

  /** Keeps the micro-batch and runs it; resolves with the finished run (succeeded or failed). */
  /** `onQueued`: told the run's id once it is queued, before it runs. */
  async run(b: MicroBatch, onQueued?: (run: Run) => void): Promise<Run> {
    const rawBatch = await this.keep(b);
    const run = await this.deps.executor.enqueue({
      contract: b.contract,
      environment: b.environment,
      trigger: 'stream',
      rawBatches: [rawBatch],
      actor: STREAM_ACTOR,
    });
    onQueued?.(run);
    return this.deps.dispatcher.submit(run);
  }

  private async keep(b: MicroBatch): Promise<RawBatch> {
    const positions = positionsOf(b);
    const blob = await this.deps.rawStore.putBuffer(microBatchBytes(b.messages));
    const batch: RawBatch = {
      id: this.deps.ids('raw'),
      contractName: b.contract.name,
      sha256: blob.sha256,
      sourceType: b.broker,
      sourceUri: `${positions.source}#${positions.from}..${positions.to}`,
      sizeBytes: blob.sizeBytes,
      rowCount: b.messages.length,
      storagePath: blob.storagePath,
      receivedAt: this.deps.clock.now(),
    };
    try {
      await this.deps.store.transaction(async (tx) => {
        await tx.rawBatches.insert(batch);
        await tx.streamOffsets.setBatchPositions(batch.id, positions);
      });
      return batch;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return this.known(b.contract.name, blob.sha256, positions);
    }
  }

  /**
   * The same bytes were kept before: every line carries its position, so this is the
   * same messages again (a micro-batch retried after its run failed). Its raw batch
   * is reused; the commit's position fence keeps it from being written twice.
   */
  private async known(contract: string, sha256: string, positions: BatchPositions): Promise<RawBatch> {
    const known = await this.deps.store.rawBatches.findBySha(contract, sha256);
    const kept = known ? await this.deps.store.streamOffsets.batchPositions(known.id) : null;
    if (!known || kept?.source !== positions.source) {
      throw new Error(
        `a raw batch with the content of ${positions.source}#${positions.from}..${positions.to} exists for another source`,
      );
    }
    return known;
  }
}

/**
 * A run that failed transiently has a retry queued by the dispatcher (same raw batch;
 * its commit moves the position too): waits for the chain to end, or for `abort`.
 */
export async function followRetries(
  run: Run,
  deps: { store: Store; dispatcher: RunQueue },
  abort: AbortSignal,
  onWait: (failed: Run, retry: Run) => void,
): Promise<Run> {
  let r = run;
  while (
    r.status === 'failed' &&
    (r.errorKind === 'transient' || r.errorKind === 'interrupted' || r.errorKind === 'storage')
  ) {
    const retry = (await deps.store.runs.list({ parentRunId: r.id, trigger: 'retry' }, 1)).runs[0];
    if (!retry) break;
    onWait(r, retry);
    const next = await orAbort(deps.dispatcher.submit(retry), abort, null);
    if (!next) break;
    r = next;
  }
  return r;
}

function positionsOf(b: MicroBatch): BatchPositions {
  const { from, to } = rangeOf(b.messages.map((m) => m.position));
  return {
    source: b.source,
    broker: b.broker,
    stream: b.stream,
    consumer: b.consumer,
    from,
    to,
    count: b.messages.length,
  };
}

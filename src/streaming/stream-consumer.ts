/**
 * One consumer: a contract's stream source in one environment, feeding micro-batch
 * runs (micro-batch-handler.ts: acknowledged only after the commit, committed
 * positions skipped). Within a broker session deliveries come in position order;
 * when a session breaks (lost delivery, connection error, a crash between commit
 * and ack) everything uncommitted is dropped from memory and a new session starts
 * right after the committed position, so nothing newer is ever committed ahead of
 * something older.
 *
 * Two loops share a session: the pump pulls while fewer than maxInFlight messages are
 * in memory (backpressure), the worker runs closed micro-batches one at a time. A
 * micro-batch whose run fails pauses the consumer: its messages stay unacknowledged,
 * nothing more is pulled, and the status shows the run and its error until `resume()`.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Environment } from '../domain/environment';
import type { RegisteredContract } from '../domain/registered-contract';
import type { Run } from '../domain/run';
import type { RunQueue } from '../pipeline/run.service';
import type { Store } from '../store/store';
import type { MicroBatchRunner } from './micro-batch';
import { handleMicroBatch } from './micro-batch-handler';
import { batchWindowOf, MicroBatcher } from './micro-batcher';
import { CommittedPosition } from './committed-position';
import { comparePositions, rangeOf, sourceKey, type BrokerKind } from '../domain/stream-positions';
import { Signal } from './signals';
import { runSideBySide, superviseSessions } from './session-supervisor';
import type {
  BrokerAdapter,
  BrokerMessage,
  BrokerSession,
  ConsumerTarget,
  StreamHooks,
  StreamMetrics,
  StreamStatus,
} from '../domain/stream';

export interface ConsumerOptions {
  maxInFlight: number;
  lagIntervalMs: number;
  /** First delay before a broken session is reopened; doubles up to 30 s while it keeps failing. */
  restartDelayMs: number;
}

export interface StreamConsumerDeps {
  runner: MicroBatchRunner;
  store: Store;
  dispatcher: RunQueue;
  adapter: BrokerAdapter;
  clock: Clock;
  logger: Logger;
  metrics: StreamMetrics;
  hooks: StreamHooks;
  options: ConsumerOptions;
}

type State = 'running' | 'pausing' | 'paused';

export class StreamConsumer {
  readonly broker: BrokerKind;
  readonly endpoint: string;
  private contract: RegisteredContract;
  private readonly batcher: MicroBatcher<BrokerMessage>;
  private session: BrokerSession | null = null;
  private consumerName: string | null = null;
  private held: BrokerMessage[] | null = null;
  /** Messages accepted from the broker and neither acknowledged nor dropped yet (the backpressure bound). */
  private inMemory = 0;
  private readonly committed: CommittedPosition;
  private highWater: string | null = null;
  private state: State = 'running';
  private pulling = false;
  private lastRunId: string | null = null;
  private error: string | null = null;
  private waitingFor: string | null = null;
  private lag: { lag: number | null; unacknowledged: number | null } = { lag: null, unacknowledged: null };
  private readonly stopping = new AbortController();
  private readonly wake = new Signal();
  private loop: Promise<void> | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(
    contract: RegisteredContract,
    readonly environment: Environment,
    private readonly deps: StreamConsumerDeps,
  ) {
    const source = contract.contract.source;
    this.contract = contract;
    this.broker = source.type as BrokerKind;
    this.endpoint = (this.broker === 'nats' ? source.subject : source.stream) ?? '';
    this.batcher = new MicroBatcher(batchWindowOf(source, deps.options.maxInFlight));
    this.log = deps.logger.child({ contract: contract.name, environment, source: this.source });
    this.committed = new CommittedPosition(
      deps.store,
      { contract: contract.name, environment, source: this.source },
      deps.clock,
    );
  }

  get source(): string {
    return sourceKey(this.broker, this.endpoint);
  }

  get contractName(): string {
    return this.contract.name;
  }

  start(): void {
    this.loop ??= this.supervise();
    this.lagTimer = setInterval(() => void this.refreshLag(), this.deps.options.lagIntervalMs);
    this.lagTimer.unref();
  }

  /** Lets the micro-batch in flight commit and acknowledge, drops the rest, closes the session. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.loop;
  }

  /** A newer version of the same contract and source: later micro-batches run under it. */
  setContract(contract: RegisteredContract): void {
    this.contract = contract;
    this.batcher.configure(batchWindowOf(contract.contract.source, this.deps.options.maxInFlight));
  }

  status(): StreamStatus {
    return {
      contract: this.contract.name,
      contractVersion: this.contract.version,
      environment: this.environment,
      source: this.broker,
      endpoint: this.endpoint,
      consumer: this.consumerName,
      connected: this.session?.connected ?? false,
      lastPosition: this.committed.value,
      lag: this.lag.lag,
      unacknowledged: this.lag.unacknowledged,
      inMemory: this.inMemory,
      lastRunId: this.lastRunId,
      paused: this.state === 'paused',
      error: this.error,
      waitingFor: this.waitingFor,
    };
  }

  /**
   * Continues a paused consumer: the held micro-batch runs again (under the active
   * version), or with `skip` it is acknowledged and the committed position moves past
   * it without writing (its failed run keeps the raw batch, for a later reprocess).
   */
  async resume(opts: { skip?: boolean; actor: string }): Promise<void> {
    if (this.state === 'running') return;
    if (opts.skip && this.held) await this.skipHeld(this.held, opts.actor);
    this.state = 'running';
    this.error = null;
    this.wake.notify();
  }

  private supervise(): Promise<void> {
    return superviseSessions(() => this.runSession(), {
      stopping: this.stopping.signal,
      restartDelayMs: this.deps.options.restartDelayMs,
      ended: (err) => {
        // Whatever was not committed is redelivered by the next session, in order.
        this.batcher.clear();
        this.held = null;
        this.inMemory = 0;
        if (err === undefined) return;
        this.error = err instanceof Error ? err.message : String(err);
        this.log.warn(
          { err, committed: this.committed.value },
          'stream session ended; reopening after the committed position',
        );
      },
    });
  }

  private async runSession(): Promise<void> {
    this.highWater = await this.committed.refresh();
    const target: ConsumerTarget = {
      contract: this.contract.name,
      environment: this.environment,
      broker: this.broker,
      endpoint: this.endpoint,
      maxInFlight: this.deps.options.maxInFlight,
    };
    const session = await this.deps.adapter.open(target, this.committed.value);
    this.session = session;
    this.consumerName = session.consumer;
    if (this.state === 'running') this.error = null;
    const { stream, consumer } = session;
    this.log.info({ stream, consumer, committed: this.committed.value }, 'stream connected');
    try {
      await runSideBySide([(a) => this.pump(session, a), (a) => this.work(session, a)], this.stopping.signal);
    } finally {
      this.session = null;
      await session
        .close()
        .catch((err: unknown) => this.log.warn({ err }, 'stream session did not close cleanly'));
    }
  }

  /** Pulls while there is room in memory and the consumer is not paused. */
  private async pump(session: BrokerSession, abort: AbortSignal): Promise<void> {
    while (!abort.aborted) {
      const room = this.deps.options.maxInFlight - this.inMemory;
      if (this.state !== 'running' || room <= 0) {
        await this.wake.wait(abort);
        continue;
      }
      this.pulling = true;
      try {
        await session.pull(room, (m) => this.accept(m, session));
      } finally {
        this.pulling = false;
        this.wake.notify();
      }
    }
  }

  private accept(m: BrokerMessage, session: BrokerSession): void {
    if (this.committed.covers(m.position)) {
      // Stored already (redelivered after a crash between commit and ack): acknowledge, skip.
      void session
        .ack([m])
        .catch((err: unknown) => this.log.warn({ err, position: m.position }, 'ack failed'));
      this.log.debug(
        { position: m.position, committed: this.committed.value },
        'committed message redelivered; skipped',
      );
      return;
    }
    // A redelivery of a message still held in memory (its ack wait ran out): one copy is enough.
    if (this.highWater !== null && comparePositions(m.position, this.highWater) <= 0) return;
    this.highWater = m.position;
    this.inMemory++;
    this.batcher.push(m);
  }

  /** Runs closed micro-batches one at a time. */
  private async work(session: BrokerSession, abort: AbortSignal): Promise<void> {
    while (!abort.aborted) {
      if (this.state !== 'running') {
        await this.wake.wait(abort);
        continue;
      }
      const batch = this.held ?? (await this.batcher.next(abort));
      if (!batch) return;
      this.held = null;
      let kept = 0;
      try {
        kept = await this.handle(batch, session, abort);
      } finally {
        // Acknowledged or dropped now: all of it, unless the consumer paused holding some.
        this.inMemory -= batch.length - kept;
        this.wake.notify();
      }
    }
  }

  /** Answers how many of the messages are still held (paused), not acknowledged. */
  private async handle(batch: BrokerMessage[], session: BrokerSession, abort: AbortSignal): Promise<number> {
    const outcome = await handleMicroBatch(this.deps, batch, {
      contract: this.contract,
      environment: this.environment,
      source: this.source,
      broker: this.broker,
      committed: this.committed,
      session,
      log: this.log,
      abort,
      waiting: (message) => (this.error = message),
      waitingFor: (message) => (this.waitingFor = message),
      pollMs: Math.min(this.deps.options.lagIntervalMs, 1000),
    });
    if (outcome.kind === 'failed') {
      await this.pause(outcome.run, outcome.pending, abort);
      return outcome.pending.length;
    }
    if (outcome.kind === 'committed') this.lastRunId = outcome.run.id;
    this.error = null;
    void this.refreshLag();
    return 0;
  }

  /** Holds the micro-batch, stops pulling, and reports once no pull is in flight any more. */
  private async pause(run: Run, messages: BrokerMessage[], abort: AbortSignal): Promise<void> {
    const { from, to } = rangeOf(messages.map((m) => m.position));
    this.held = messages;
    this.lastRunId = run.id;
    this.error = run.error ?? `run ${run.id} ${run.status}`;
    this.state = 'pausing';
    this.wake.notify();
    while (this.pulling && !abort.aborted) await this.wake.wait(abort);
    if (this.state === 'pausing') this.state = 'paused';
    this.log.warn({ runId: run.id, from, to, error: this.error }, 'micro-batch failed; stream paused');
    void this.refreshLag();
  }

  private async skipHeld(held: BrokerMessage[], actor: string): Promise<void> {
    const { from, to } = rangeOf(held.map((m) => m.position));
    await this.committed.skip({ from, to, messages: held.length, failedRun: this.lastRunId, actor });
    this.held = null;
    this.inMemory -= held.length;
    await this.session
      ?.ack(held)
      .catch((err: unknown) => this.log.warn({ err }, 'ack of skipped messages failed'));
    this.log.warn({ from, to, failedRun: this.lastRunId, actor }, 'paused micro-batch skipped');
  }

  private async refreshLag(): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      this.lag = await session.lag();
      this.deps.metrics.lag(this.contract.name, this.environment, this.lag.lag);
    } catch (err) {
      this.log.debug({ err }, 'lag not read');
    }
  }
}

/**
 * A consumer's view of its committed position. The store is the truth (the commit
 * transaction moves it, see stream-offset.repository.ts); this copy only ever moves
 * forward, from the store or from a commit this consumer saw.
 */
import type { Clock } from '../clock';
import type { OffsetKey } from '../store/stream-offset.repository';
import type { Store } from '../store/store';
import { comparePositions, isCommitted } from '../domain/stream-positions';

export class CommittedPosition {
  private position: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly key: OffsetKey,
    private readonly clock: Clock,
  ) {}

  get value(): string | null {
    return this.position;
  }

  /** Reads the store: at the start of a session, and before each micro-batch. */
  async refresh(): Promise<string | null> {
    const stored = (await this.store.streamOffsets.get(this.key))?.position ?? null;
    if (stored !== null) this.moveTo(stored);
    return this.position;
  }

  covers(position: string): boolean {
    return isCommitted(position, this.position);
  }

  moveTo(position: string): void {
    if (this.position === null || comparePositions(position, this.position) > 0) this.position = position;
  }

  /**
   * Moves past a paused micro-batch without writing it, and says so in the audit
   * trail: an operator's decision to leave data behind (its failed run keeps it).
   */
  async skip(s: {
    from: string;
    to: string;
    messages: number;
    failedRun: string | null;
    actor: string;
  }): Promise<void> {
    const at = this.clock.now();
    await this.store.streamOffsets.skipTo(this.key, s.to, s.failedRun, at);
    await this.store.audit.append({
      at,
      actor: s.actor,
      action: 'stream.skip',
      targetKind: 'contract',
      targetId: this.key.contract,
      environment: this.key.environment,
      before: { committed: this.position },
      after: { committed: s.to },
      details: {
        source: this.key.source,
        from: s.from,
        to: s.to,
        messages: s.messages,
        failedRun: s.failedRun,
      },
    });
    this.moveTo(s.to);
  }
}

/**
 * Keys of live connections, re-checked against the database. A WebSocket authenticates
 * once, on connect; without this a revoked key (or one whose role changed) would keep
 * its socket, its subscriptions and its right to run mutations over it. Two checks:
 *
 * - every `intervalMs` one query reads the keys of all watched connections; a
 *   connection whose key was revoked, deleted or changed role is told to close. The
 *   database is the truth, so a revocation made by any process (the CLI, another
 *   instance) reaches every instance within an interval;
 * - every operation on a connection calls `check`, which reads the key again when its
 *   last reading is older than `maxAgeMs`, and always for a mutation.
 *
 * When the database cannot be read, connections stay as they are (a sweep is skipped
 * and logged; `check` throws, so the operation is answered UNAVAILABLE).
 */
import type { Logger } from 'pino';
import type { ApiKey } from '../domain/api-key';
import type { Principal } from '../domain/role';

export type KeyState = Pick<ApiKey, 'id' | 'role' | 'revokedAt'>;

export interface KeyStates {
  states(ids: string[]): Promise<KeyState[]>;
}

/** Why a connection of `principal` may not go on, or null when it may. */
export function keyVerdict(principal: Principal, state: KeyState | undefined): string | null {
  if (principal.keyId === null) return null; // development-mode anonymous: no key to lose
  if (!state) return 'the API key no longer exists';
  if (state.revokedAt !== null) return 'the API key was revoked';
  if (state.role !== principal.role) return `the API key's role changed to ${state.role}; reconnect`;
  return null;
}

interface Watcher {
  principal: Principal;
  onRefused: (reason: string) => void;
}

export interface KeyWatchOptions {
  keys: KeyStates;
  intervalMs: number;
  maxAgeMs: number;
  logger: Pick<Logger, 'warn'>;
}

export class KeyWatch {
  private readonly watchers = new Set<Watcher>();
  private readonly readings = new Map<string, { state: KeyState | undefined; at: number }>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly opts: KeyWatchOptions) {}

  /** Watches a connection; `onRefused` is called (once) when its key may no longer be used. */
  watch(principal: Principal, onRefused: (reason: string) => void): () => void {
    if (principal.keyId === null) return () => undefined;
    const w: Watcher = { principal, onRefused };
    this.watchers.add(w);
    this.timer ??= setInterval(() => void this.sweep(), this.opts.intervalMs).unref();
    return () => this.unwatch(w);
  }

  /**
   * Before an operation: the reason it is refused, or null. `fresh` (mutations) reads the
   * database whatever the last reading, so nothing is written after a revocation commits.
   */
  async check(principal: Principal, fresh = false): Promise<string | null> {
    if (principal.keyId === null) return null;
    const reading = this.readings.get(principal.keyId);
    if (!fresh && reading && Date.now() - reading.at <= this.opts.maxAgeMs)
      return keyVerdict(principal, reading.state);
    const [state] = await this.opts.keys.states([principal.keyId]);
    this.readings.set(principal.keyId, { state, at: Date.now() });
    return keyVerdict(principal, state);
  }

  /** One pass over every watched connection (also run by the timer). */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watchers.clear();
  }

  private async sweepOnce(): Promise<void> {
    const ids = [...new Set([...this.watchers].map((w) => w.principal.keyId!))];
    if (ids.length === 0) return;
    let states: KeyState[];
    try {
      states = await this.opts.keys.states(ids);
    } catch (err) {
      this.opts.logger.warn(
        { err },
        'API keys of live connections not re-checked: the database did not answer',
      );
      return;
    }
    const at = Date.now();
    const byId = new Map(states.map((s) => [s.id, s]));
    this.readings.clear(); // only watched keys are kept: the map stays as small as the live set
    for (const id of ids) this.readings.set(id, { state: byId.get(id), at });
    for (const w of [...this.watchers]) {
      const reason = keyVerdict(w.principal, byId.get(w.principal.keyId!));
      if (reason === null) continue;
      this.unwatch(w);
      w.onRefused(reason);
    }
  }

  private unwatch(w: Watcher): void {
    this.watchers.delete(w);
    if (this.watchers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

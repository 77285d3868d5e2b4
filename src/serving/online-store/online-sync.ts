/**
 * Keeps the online store in Redis equal to what SQL serves "as of now", by following
 * the durable run event log. A commit, a rollback or a reprocess (the new run commits
 * and its parent is superseded) each leave an event; for each, the entities that run
 * wrote are recomputed from SQL (a page of keys per statement) and written with the
 * cursor check of redis-writer.ts, and only after the last page does the stored cursor
 * move past the event. The recompute reads SQL after the event committed, so a key is
 * never older than the events the cursor has passed (it may be newer: a later event
 * it already reflects is applied again).
 *
 * On start, and after Redis came back: from the stored cursor; with no cursor (an
 * empty or flushed Redis), one the log does not know (a cursor past the newest event:
 * another database) or one the log has pruned past, the store is rebuilt from SQL,
 * view by view, with progress logs. Each pass holds the sync lock (redis-writer.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../observability/logger';
import type { RunEvent } from '../../store/run-event-log';
import type { RunStatus } from '../../domain/run';
import { parseStoredCursor } from './keys';
import { encodeRow } from './keys';
import type { OnlineWriter } from './redis-writer';
import type { OnlineSource, ViewRef } from './online-source';

/** Statuses that change which rows are visible: a commit, a rollback, a supersede. */
const VISIBILITY: ReadonlySet<RunStatus> = new Set(['succeeded', 'rolled_back', 'superseded']);
const EVENTS_PAGE = 500;
/** A progress line every this many entities of a rebuild. */
const PROGRESS_EVERY = 50_000;

/** Another instance wrote first: this pass stops and the next one starts from its cursor. */
class Overtaken extends Error {}

export class OnlineSync {
  /** The stored cursor was checked against the log since Redis (re)connected. */
  private checked = false;
  private serial: Promise<void> = Promise.resolve();
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private failing = false;

  constructor(
    private readonly deps: {
      source: OnlineSource;
      writer: OnlineWriter;
      logger: Logger;
      intervalMs: number;
    },
  ) {}

  /** Syncs now and then every interval until stop(); `wake()` brings the next pass forward. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.syncNow().finally(() => {
      if (!this.stopped && !this.timer) this.timer = setTimeout(() => this.wake(), this.deps.intervalMs);
    });
  }

  /** Redis reconnected: it may have been emptied meanwhile, so the cursor is checked again. */
  reconnected(): void {
    this.checked = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.serial;
  }

  /** One pass, after any pass in progress; never rejects (a failure is logged, the next pass retries). */
  syncNow(): Promise<void> {
    const pass = this.serial.then(() => this.pass());
    this.serial = pass;
    return pass;
  }

  private async pass(): Promise<void> {
    try {
      // One instance syncs at a time; the others' reads still use what it writes.
      if (!(await this.deps.writer.lock(randomBytes(9).toString('hex')))) return;
      try {
        await this.syncOnce();
      } finally {
        await this.deps.writer.unlock();
      }
      if (this.failing) this.deps.logger.info('online store: syncing again');
      this.failing = false;
    } catch (err) {
      this.checked = false;
      if (err instanceof Overtaken) return;
      if (!this.failing)
        this.deps.logger.warn(
          { err },
          'online store: sync failed; reads fall back to SQL until it catches up',
        );
      this.failing = true;
    }
  }

  private async syncOnce(): Promise<void> {
    const { source, writer } = this.deps;
    const stored = await writer.cursor();
    let cursor = parseStoredCursor(stored);
    if (cursor === null)
      return this.rebuild(stored === null ? 'no cursor in Redis' : 'an interrupted rebuild');
    if (!this.checked) {
      const [latest, earliest] = await Promise.all([source.latestCursor(), source.earliestCursor()]);
      if (cursor > latest) return this.rebuild(`cursor ${cursor} is past the newest event ${latest}`);
      if (earliest > cursor + 1) return this.rebuild(`events after cursor ${cursor} were pruned`);
      this.checked = true;
    }
    for (;;) {
      const events = await source.events(cursor, EVENTS_PAGE);
      if (events.length === 0) return;
      const next = Number(events[events.length - 1]!.eventCursor);
      await this.apply(String(cursor), events);
      if (!(await writer.write(String(cursor), [], String(next)))) throw new Overtaken();
      cursor = next;
      if (events.length < EVENTS_PAGE) return;
    }
  }

  /** Recomputes every entity of every run whose visibility the events changed. */
  private async apply(expected: string, events: RunEvent[]): Promise<void> {
    const views = new Map<string, number | null>();
    const done = new Set<string>();
    for (const e of events) {
      if (!VISIBILITY.has(e.status) || done.has(e.id)) continue;
      done.add(e.id);
      const view = { environment: e.environment, contract: e.contractName, major: e.contractMajor };
      const name = `${view.environment}/${view.contract}/${view.major}`;
      if (!views.has(name)) views.set(name, await this.deps.source.viewId(view));
      const id = views.get(name);
      if (id === null || id === undefined) continue; // the run wrote no rows to any view
      await this.deps.source.eachRunEntityPage(e.id, (keys) => this.writePage(expected, { id, view }, keys));
    }
  }

  private async writePage(expected: string, v: ViewRef, keys: string[]): Promise<void> {
    const rows = await this.deps.source.newest(v.id, keys);
    const entries = keys.map((k, i): [string, string | null] => [
      this.deps.writer.keys.entity(v.view, k),
      rows[i] ? encodeRow(rows[i]!) : null,
    ]);
    if (!(await this.deps.writer.write(expected, entries, null))) throw new Overtaken();
  }

  private async rebuild(why: string): Promise<void> {
    const { source, writer, logger } = this.deps;
    const marker = `rebuild:${Date.now()}`;
    // Read before anything is recomputed: every later event is applied after the rebuild.
    const latest = await source.latestCursor();
    logger.info({ why, cursor: latest }, 'online store: rebuilding from SQL');
    if (!(await writer.clear(marker))) throw new Overtaken();
    let total = 0;
    for (const v of await source.views()) {
      let n = 0;
      await source.eachViewEntityPage(v.id, async (keys) => {
        await this.writePage(marker, v, keys);
        n += keys.length;
        if (Math.floor(n / PROGRESS_EVERY) > Math.floor((n - keys.length) / PROGRESS_EVERY))
          logger.info({ view: v.view, entities: n }, 'online store: rebuilding');
      });
      total += n;
      logger.info({ view: v.view, entities: n }, 'online store: view rebuilt');
    }
    if (!(await writer.write(marker, [], String(latest)))) throw new Overtaken();
    this.checked = true;
    logger.info({ entities: total, cursor: latest }, 'online store: rebuilt');
  }
}

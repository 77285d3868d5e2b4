/**
 * Broker positions, as plain strings so one codec serves both brokers and the store
 * keeps them as TEXT: a NATS JetStream stream sequence ("42") or a Redis Streams
 * entry id ("1700000000000-3"). Both are ordered by their numeric parts, compared as
 * BigInt so a sequence past 2^53 still orders right.
 *
 * A micro-batch's raw batch records the range it covers (`BatchPositions`, kept in
 * raw_batches.positions); committing its run moves the consumer's committed position
 * to `to` in the same transaction (see stream-offset.repository.ts).
 */
import type { RunTrigger } from './run';

export type BrokerKind = 'nats' | 'redis-stream';

/** What a stream micro-batch's raw batch covers, per consumer. */
export interface BatchPositions {
  /** The offset key: `<broker>:<subject or stream key>` (see sourceKey). */
  source: string;
  broker: BrokerKind;
  /** The JetStream stream name, or the Redis stream key. */
  stream: string;
  /** The durable consumer name, or the Redis consumer group. */
  consumer: string;
  /** First and last position of the micro-batch (inclusive). */
  from: string;
  to: string;
  count: number;
}

const POSITION_RE = /^\d+(-\d+)?$/;

export function isPosition(p: string): boolean {
  return POSITION_RE.test(p);
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function comparePositions(a: string, b: string): number {
  const pa = a.split('-').map(BigInt);
  const pb = b.split('-').map(BigInt);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Whether `p` is at or before the committed position (nothing is committed: null). */
export function isCommitted(p: string, committed: string | null): boolean {
  return committed !== null && comparePositions(p, committed) <= 0;
}

/** The offset key of a contract's source: one committed position per (contract, environment, source). */
export function sourceKey(broker: BrokerKind, endpoint: string): string {
  return `${broker}:${endpoint}`;
}

/** The range a list of positions covers (positions arrive in order, but do not rely on it). */
export function rangeOf(positions: string[]): { from: string; to: string } {
  if (positions.length === 0) throw new Error('an empty micro-batch has no positions');
  let from = positions[0]!;
  let to = positions[0]!;
  for (const p of positions) {
    if (comparePositions(p, from) < 0) from = p;
    if (comparePositions(p, to) > 0) to = p;
  }
  return { from, to };
}

/**
 * Which commits move a stream's committed position. A stream micro-batch's run does,
 * and so does the dispatcher's retry of one: it is the same micro-batch written for
 * the first time. A reprocess or backfill (or a retry that replaces a run) re-reads
 * data consumed earlier on purpose: it neither moves nor is fenced by the position.
 */
export function advancesStreamOffsets(trigger: RunTrigger, replacesRun: boolean): boolean {
  return !replacesRun && (trigger === 'stream' || trigger === 'retry');
}

export function parseBatchPositions(text: string | null | undefined): BatchPositions | null {
  if (!text) return null;
  const p = JSON.parse(text) as Partial<BatchPositions>;
  if (typeof p.source !== 'string' || typeof p.from !== 'string' || typeof p.to !== 'string') return null;
  return p as BatchPositions;
}

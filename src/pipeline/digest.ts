/**
 * The output digest of a run: sha256 over its feature rows in canonical order, so two
 * runs that produce the same features have the same digest however their rows were
 * read, batched or parallelised.
 *
 * Canonical form: rows ordered by entityKey (UTF-16 code unit, JavaScript's default
 * string order, NOT a database collation) then eventTime ascending; each row hashed
 * as one line `JSON([entityKey, eventTime, values])\n` where `values` has its keys
 * sorted and numbers in JSON.stringify's shortest round-trip form (-0 as 0).
 * Lineage (rowNumber, rawBatchId) is deliberately left out: reprocessing the same data
 * from other batches yields the same output, hence the same digest.
 *
 * Streaming: `createDigester()` hashes rows as they come and holds none of them, but
 * it requires them in canonical order and throws otherwise; transform output is
 * already in that order. `outputDigest(rows)` sorts a copy first.
 */
import { createHash } from 'node:crypto';
import type { FeatureRow, Value } from './row.types';

export interface Digester {
  /** Adds the next row; throws if it is not strictly after the previous one in canonical order. */
  add(row: FeatureRow): void;
  /** Hex sha256 over everything added. Ends the digester. */
  digest(): string;
}

export function createDigester(): Digester {
  const hash = createHash('sha256');
  const keys = new KeyOrder();
  let buffer = '';
  let last: FeatureRow | undefined;
  return {
    add(row) {
      if (last !== undefined && compareFeatureRows(last, row) >= 0) {
        throw new Error(
          `output digest needs rows in (entityKey, eventTime) order without duplicates; ` +
            `got ${row.entityKey}@${row.eventTime} after ${last.entityKey}@${last.eventTime}`,
        );
      }
      last = row;
      buffer += lineWith(row, keys.sorted(row.values));
      // Hash in chunks: one update per row costs more than the hashing itself.
      if (buffer.length > 65_536) {
        hash.update(buffer);
        buffer = '';
      }
    },
    digest: () => hash.update(buffer).digest('hex'),
  };
}

/** Rows of one run share their keys: sort them once, re-sort only when a row's keys differ. */
class KeyOrder {
  private seen: string[] = [];
  private ordered: string[] = [];
  sorted(values: Record<string, Value>): string[] {
    let i = 0;
    let same = true;
    for (const key in values) {
      if (this.seen[i++] !== key) {
        same = false;
        break;
      }
    }
    if (!same || i !== this.seen.length) {
      this.seen = Object.keys(values);
      this.ordered = [...this.seen].sort();
    }
    return this.ordered;
  }
}

export function outputDigest(rows: readonly FeatureRow[]): string {
  const digester = createDigester();
  for (const row of [...rows].sort(compareFeatureRows)) digester.add(row);
  return digester.digest();
}

/** The canonical order: entityKey by UTF-16 code unit, then eventTime. */
export function compareFeatureRows(a: FeatureRow, b: FeatureRow): number {
  if (a.entityKey !== b.entityKey) return a.entityKey < b.entityKey ? -1 : 1;
  return a.eventTime - b.eventTime;
}

export function canonicalLine(row: FeatureRow): string {
  return lineWith(row, Object.keys(row.values).sort());
}

function lineWith(row: FeatureRow, sortedKeys: string[]): string {
  let out = `[${JSON.stringify(row.entityKey)},${stableNumber(row.eventTime)},{`;
  for (let i = 0; i < sortedKeys.length; i++) {
    const key = sortedKeys[i]!;
    if (i > 0) out += ',';
    out += JSON.stringify(key) + ':' + canonicalValue(row.values[key]);
  }
  return out + '}]\n';
}

function canonicalValue(v: Value | undefined): string {
  if (typeof v === 'number') return stableNumber(v);
  // undefined is written as null: a missing feature and a null feature read the same downstream.
  return v === undefined ? 'null' : JSON.stringify(v);
}

/** String() of a finite number is its shortest round-trip form, the same as JSON's (and -0 gives "0"). */
function stableNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`output digest: ${n} is not a finite number`);
  return String(n);
}

/**
 * A bulk insert's chunks as they are built, item by item, while the driver executes the
 * previous chunk (bulk-insert.ts): bound values one by one, or on SQLite one JSON
 * document a chunk.
 */
import type { BulkInsertPlan } from './bulk-plan';

/**
 * Characters of text a statement carries at most (in its string bindings, or its JSON
 * document on SQLite), whatever its row count. That text is converted on the calling
 * thread (node-sqlite3 binds it, pg serialises the message) before the driver works on
 * its own: 4,000 rows of a 500-feature contract, 48 MB, held the event loop for half a
 * second. A million characters take a few milliseconds; narrow rows never reach it.
 */
export const MAX_CHUNK_CHARS = 1_000_000;

/** Collects one chunk's bindings item by item; `take` hands them over and starts the next. */
export interface ChunkBuilder<T> {
  rows: number;
  /** Characters of text in the chunk so far (see MAX_CHUNK_CHARS). */
  chars: number;
  add(item: T): void;
  take(): unknown[];
}

/** Every value bound on its own; each chunk's bindings start with `prefix` (constants bound once). */
export function valueChunks<T>(plan: BulkInsertPlan<T>, prefix: unknown[]): ChunkBuilder<T> {
  const width = plan.columns.length;
  const inlined = plan.inlinedConstants ?? 0;
  let bindings: unknown[] = [...prefix];
  return {
    rows: 0,
    chars: 0,
    add(item) {
      const from = bindings.length;
      plan.push(item, bindings);
      for (let k = from; k < bindings.length; k++) {
        const v = bindings[k];
        if (typeof v === 'string') this.chars += v.length;
      }
      this.rows++;
      if (bindings.length !== prefix.length + this.rows * width) {
        // Counted as the caller wrote the row, without constants put into it (PostgreSQL).
        const given = bindings.length - prefix.length - (this.rows - 1) * width - inlined;
        throw new Error(
          `bulk insert into ${plan.table}: a row has ${given} values, expected ${width - inlined}`,
        );
      }
    },
    take() {
      const out = bindings;
      bindings = [...prefix];
      this.rows = 0;
      this.chars = 0;
      return out;
    },
  };
}

/**
 * The chunk's rows as one JSON array, written as UTF-8 into a buffer, after the
 * constants. Bound as a blob (read as text by the statement): node-sqlite3 copies a
 * blob's bytes, where a string was joined (flattening every row's text) and then
 * converted to UTF-8 on the main thread, about 0.7 s of a million-row commit. Two
 * buffers take turns: chunk n's is copied by the driver when its statement starts,
 * before chunk n+1 is handed over, so chunk n+2 may write over it.
 */
export function jsonChunks<T>(plan: BulkInsertPlan<T>, prefix: unknown[]): ChunkBuilder<T> {
  const buffers = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
  let turn = 0;
  let buf = buffers[0]!;
  let at = 0;
  return {
    rows: 0,
    chars: 0,
    add(item) {
      const line = plan.json!(item);
      // A UTF-16 unit takes at most 3 bytes in UTF-8; 2 more for the separator and the end.
      const room = at + line.length * 3 + 2;
      if (room > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(room, buf.length * 2));
        buf.copy(bigger, 0, 0, at);
        buffers[turn] = buf = bigger;
      }
      buf[at++] = this.rows === 0 ? 0x5b : 0x2c; // '[' before the first row, ',' between
      at += buf.write(line, at, 'utf8');
      this.chars += line.length;
      this.rows++;
    },
    take() {
      buf[at++] = 0x5d; // ']'
      const text = buf.subarray(0, at);
      turn = 1 - turn;
      buf = buffers[turn]!;
      at = 0;
      this.rows = 0;
      this.chars = 0;
      return [...prefix, text];
    },
  };
}

/**
 * Cleansed rows kept column by column (see clean-rows.ts for why).
 *
 * Each column is a list of fixed-size typed-array blocks, so growing never copies and
 * never holds an old and a new array of a million cells at once:
 * - integer, number, date, timestamp: Float64, null as NaN (cleansing never yields NaN);
 * - boolean: Uint8, 0 null, 1 false, 2 true;
 * - string: Uint32 codes into the column's dictionary, 0 null. Repeated texts (a
 *   status, a region, a device id on every reading) are kept once.
 * The entity key is a code into the entity dictionary (first appearance order), the
 * event time is read from its column, and the raw batch is a code into the run's list.
 */
import type { ColumnType } from '../contracts/contract.types';
import { rowFrom, type CleanRows } from './clean-rows';
import type { CleanRow, TypedRow, Value } from './row.types';

const SHIFT = 14;
const BLOCK = 1 << SHIFT;
const MASK = BLOCK - 1;

type Typed = Float64Array | Uint32Array | Uint8Array;

class Blocks<T extends Typed> {
  readonly blocks: T[] = [];
  constructor(private readonly make: (n: number) => T) {}
  /** Sets cell `i`, the next one to write (cells are appended in order). */
  put(i: number, v: number): void {
    const b = i >>> SHIFT;
    if (b === this.blocks.length) this.blocks.push(this.make(BLOCK));
    this.blocks[b]![i & MASK] = v;
  }
  get(i: number): number {
    return this.blocks[i >>> SHIFT]![i & MASK]!;
  }
}

/** Text → code (from 1; 0 is null) and back. */
class Dictionary {
  private readonly codes = new Map<string, number>();
  readonly texts: string[] = [''];
  code(text: string): number {
    let c = this.codes.get(text);
    if (c === undefined) {
      const own = ownCopy(text);
      this.codes.set(own, (c = this.texts.length));
      this.texts.push(own);
    }
    return c;
  }
}

/**
 * A parsed cell can be a slice of its whole input chunk, which V8 keeps alive for it;
 * a text the run keeps gets its own copy. (Short strings are always copied by V8.)
 */
function ownCopy(text: string): string {
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

interface Column {
  name: string;
  put(i: number, v: Value): void;
  reader(): (i: number) => Value;
}

function numberColumn(name: string): Column {
  const cells = new Blocks((n) => new Float64Array(n));
  return {
    name,
    put: (i, v) => cells.put(i, v === null ? NaN : (v as number)),
    reader: () => {
      const blocks = cells.blocks;
      return (i) => {
        const v = blocks[i >>> SHIFT]![i & MASK]!;
        return v !== v ? null : v;
      };
    },
  };
}

function booleanColumn(name: string): Column {
  const cells = new Blocks((n) => new Uint8Array(n));
  return {
    name,
    put: (i, v) => cells.put(i, v === null ? 0 : v ? 2 : 1),
    reader: () => {
      const blocks = cells.blocks;
      return (i) => {
        const v = blocks[i >>> SHIFT]![i & MASK]!;
        return v === 0 ? null : v === 2;
      };
    },
  };
}

function textColumn(name: string): Column {
  const cells = new Blocks((n) => new Uint32Array(n));
  const dict = new Dictionary();
  return {
    name,
    put: (i, v) => cells.put(i, v === null ? 0 : dict.code(v as string)),
    reader: () => {
      const blocks = cells.blocks;
      const texts = dict.texts;
      return (i) => {
        const c = blocks[i >>> SHIFT]![i & MASK]!;
        return c === 0 ? null : texts[c]!;
      };
    },
  };
}

function columnFor(name: string, type: ColumnType): Column {
  if (type === 'string') return textColumn(name);
  if (type === 'boolean') return booleanColumn(name);
  return numberColumn(name);
}

export class ColumnarRowsBuilder {
  private n = 0;
  private readonly columns: Column[];
  private readonly entities = new Dictionary();
  private readonly entityIds = new Blocks((n) => new Uint32Array(n));
  private readonly rowNumbers = new Blocks((n) => new Uint32Array(n));
  private readonly batchCodes = new Blocks((n) => new Uint32Array(n));
  private readonly batchIds: string[] = [];
  private lastBatch = '';
  private lastBatchCode = -1;

  constructor(
    schema: ReadonlyArray<{ name: string; type: ColumnType }>,
    private readonly eventTime: string,
  ) {
    this.columns = schema.map((c) => columnFor(c.name, c.type));
    if (!schema.some((c) => c.name === eventTime))
      throw new Error(`event-time column ${eventTime} is not in the schema`);
  }

  get length(): number {
    return this.n;
  }

  /** Appends a cleansed row: `values` holds every schema column (it may be reused by the caller). */
  append(values: TypedRow, entityKey: string, rowNumber: number, rawBatchId: string): void {
    const i = this.n++;
    const columns = this.columns;
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c]!;
      col.put(i, values[col.name] ?? null);
    }
    // Entity ids start at 0; the dictionary's codes start at 1.
    this.entityIds.put(i, this.entities.code(entityKey) - 1);
    this.rowNumbers.put(i, rowNumber);
    if (rawBatchId !== this.lastBatch) {
      this.lastBatch = rawBatchId;
      let code = this.batchIds.indexOf(rawBatchId);
      if (code < 0) code = this.batchIds.push(rawBatchId) - 1;
      this.lastBatchCode = code;
    }
    this.batchCodes.put(i, this.lastBatchCode);
  }

  /** The rows appended so far; the builder must not be appended to afterwards. */
  finish(): CleanRows {
    const length = this.n;
    const entityKeys = this.entities.texts.slice(1);
    const entityBlocks = this.entityIds.blocks;
    const rowBlocks = this.rowNumbers.blocks;
    const batchBlocks = this.batchCodes.blocks;
    const batchIds = this.batchIds;
    const readers = new Map(this.columns.map((c) => [c.name, c.reader()] as const));
    const time = readers.get(this.eventTime)! as (i: number) => number;
    const absent = (): Value => null;
    const all = [...readers];
    const rows: CleanRows = {
      length,
      entityKeys,
      entityId: (i) => entityBlocks[i >>> SHIFT]![i & MASK]!,
      entityKey: (i) => entityKeys[entityBlocks[i >>> SHIFT]![i & MASK]!]!,
      eventTime: time,
      rowNumber: (i) => rowBlocks[i >>> SHIFT]![i & MASK]!,
      rawBatchId: (i) => batchIds[batchBlocks[i >>> SHIFT]![i & MASK]!]!,
      column: (name) => readers.get(name) ?? absent,
      row: (i): CleanRow => rowFrom(rows, all, i),
    };
    return rows;
  }
}

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
import type { ColumnType } from '../domain/contract';
import { rowFrom, type CleanRows, type TextCodes } from '../domain/clean-rows';
import { ownText } from './detach';
import type { CleanRow } from '../domain/rows';
import type { TypedRow, Value } from '../domain/value';

const SHIFT = 14;
const BLOCK = 1 << SHIFT;
const MASK = BLOCK - 1;

type Typed = Float64Array | Uint32Array | Uint8Array;

/** Text → code (from 1; 0 is null) and back. */
class Dictionary {
  private readonly codes = new Map<string, number>();
  readonly texts: string[] = [''];
  code(text: string): number {
    let c = this.codes.get(text);
    if (c === undefined) {
      const own = ownText(text);
      this.codes.set(own, (c = this.texts.length));
      this.texts.push(own);
    }
    return c;
  }
}

/** One storage kind's columns: a block list per column, and the block being written. */
class Group<T extends Typed> {
  readonly blocks: T[][];
  current: T[];
  constructor(
    readonly names: string[],
    private readonly make: (n: number) => T,
  ) {
    this.blocks = names.map(() => []);
    this.current = [];
  }
  /** Starts a new block in every column (called when the row index reaches a block boundary). */
  grow(): void {
    this.current = this.blocks.map((list) => {
      const block = this.make(BLOCK);
      list.push(block);
      return block;
    });
  }
}

export interface ColumnarSchema {
  columns: ReadonlyArray<{ name: string; type: ColumnType }>;
  eventTime: string;
  /** The entity key columns, and how a row's key is encoded from its values (entity-key.ts). */
  keyColumns: readonly string[];
  entityKey: (values: TypedRow) => string;
}

export class ColumnarRowsBuilder {
  private n = 0;
  private readonly numbers: Group<Float64Array>;
  private readonly booleans: Group<Uint8Array>;
  private readonly texts: Group<Uint32Array>;
  private readonly dictionaries: Dictionary[];
  /** entity id, row number, raw batch code. */
  private readonly meta = new Group(['entity', 'row', 'batch'], (n) => new Uint32Array(n));
  private readonly entities = new Dictionary();
  /**
   * With a key of one text column, its code → entity id (-1 unknown): the key is then
   * encoded and looked up once per distinct value, not once per row.
   */
  private readonly keyText: number;
  private readonly entityOfCode: number[] = [];
  private readonly batchIds: string[] = [];
  private lastBatch = '';
  private lastBatchCode = -1;

  constructor(private readonly schema: ColumnarSchema) {
    const of = (pick: (t: ColumnType) => boolean) =>
      schema.columns.filter((c) => pick(c.type)).map((c) => c.name);
    this.numbers = new Group(
      of((t) => t !== 'string' && t !== 'boolean'),
      (n) => new Float64Array(n),
    );
    this.booleans = new Group(
      of((t) => t === 'boolean'),
      (n) => new Uint8Array(n),
    );
    this.texts = new Group(
      of((t) => t === 'string'),
      (n) => new Uint32Array(n),
    );
    this.dictionaries = this.texts.names.map(() => new Dictionary());
    if (!this.numbers.names.includes(schema.eventTime))
      throw new Error(
        `event-time column ${schema.eventTime} is not a date or timestamp column of the schema`,
      );
    this.keyText = schema.keyColumns.length === 1 ? this.texts.names.indexOf(schema.keyColumns[0]!) : -1;
  }

  get length(): number {
    return this.n;
  }

  /** Appends a cleansed row: `values` holds every schema column (it may be reused by the caller). */
  append(values: TypedRow, rowNumber: number, rawBatchId: string): void {
    const i = this.n++;
    const j = i & MASK;
    if (j === 0) {
      this.numbers.grow();
      this.booleans.grow();
      this.texts.grow();
      this.meta.grow();
    }
    const numbers = this.numbers.names;
    const f64 = this.numbers.current;
    for (let c = 0; c < numbers.length; c++) {
      const v = values[numbers[c]!] ?? null;
      f64[c]![j] = v === null ? NaN : (v as number);
    }
    const booleans = this.booleans.names;
    const u8 = this.booleans.current;
    for (let c = 0; c < booleans.length; c++) {
      const v = values[booleans[c]!] ?? null;
      u8[c]![j] = v === null ? 0 : v ? 2 : 1;
    }
    const texts = this.texts.names;
    const u32 = this.texts.current;
    let keyCode = 0;
    for (let c = 0; c < texts.length; c++) {
      const v = values[texts[c]!] ?? null;
      const code = v === null ? 0 : this.dictionaries[c]!.code(v as string);
      u32[c]![j] = code;
      if (c === this.keyText) keyCode = code;
    }
    const meta = this.meta.current;
    meta[0]![j] = this.entityId(values, keyCode);
    meta[1]![j] = rowNumber;
    if (rawBatchId !== this.lastBatch) {
      this.lastBatch = rawBatchId;
      let code = this.batchIds.indexOf(rawBatchId);
      if (code < 0) code = this.batchIds.push(rawBatchId) - 1;
      this.lastBatchCode = code;
    }
    meta[2]![j] = this.lastBatchCode;
  }

  /** Entity ids start at 0 (the dictionary's codes at 1). */
  private entityId(values: TypedRow, keyCode: number): number {
    if (this.keyText < 0) return this.entities.code(this.schema.entityKey(values)) - 1;
    let id = this.entityOfCode[keyCode];
    if (id === undefined) {
      id = this.entities.code(this.schema.entityKey(values)) - 1;
      this.entityOfCode[keyCode] = id;
    }
    return id;
  }

  /** The rows appended so far; the builder must not be appended to afterwards. */
  finish(): CleanRows {
    const length = this.n;
    const entityKeys = this.entities.texts.slice(1);
    const [entityBlocks, rowBlocks, batchBlocks] = this.meta.blocks as [
      Uint32Array[],
      Uint32Array[],
      Uint32Array[],
    ];
    const batchIds = this.batchIds;
    const readers = new Map<string, (i: number) => Value>();
    this.numbers.names.forEach((name, c) => readers.set(name, numberReader(this.numbers.blocks[c]!)));
    this.booleans.names.forEach((name, c) => readers.set(name, booleanReader(this.booleans.blocks[c]!)));
    const codes = new Map<string, TextCodes>();
    this.texts.names.forEach((name, c) => {
      readers.set(name, textReader(this.texts.blocks[c]!, this.dictionaries[c]!.texts));
      codes.set(name, codeReader(this.texts.blocks[c]!, this.dictionaries[c]!.texts));
    });
    const time = readers.get(this.schema.eventTime)! as (i: number) => number;
    const absent = (): Value => null;
    // Row objects list the columns in schema order, as cleansing builds them.
    const all = this.schema.columns.map((c) => [c.name, readers.get(c.name)!] as const);
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
      codes: (name) => codes.get(name) ?? null,
    };
    return rows;
  }
}

function numberReader(blocks: Float64Array[]): (i: number) => Value {
  return (i) => {
    const v = blocks[i >>> SHIFT]![i & MASK]!;
    return v !== v ? null : v;
  };
}

function booleanReader(blocks: Uint8Array[]): (i: number) => Value {
  return (i) => {
    const v = blocks[i >>> SHIFT]![i & MASK]!;
    return v === 0 ? null : v === 2;
  };
}

function codeReader(blocks: Uint32Array[], texts: string[]): TextCodes {
  return { code: (i) => blocks[i >>> SHIFT]![i & MASK]!, texts };
}

function textReader(blocks: Uint32Array[], texts: string[]): (i: number) => Value {
  return (i) => {
    const c = blocks[i >>> SHIFT]![i & MASK]!;
    return c === 0 ? null : texts[c]!;
  };
}

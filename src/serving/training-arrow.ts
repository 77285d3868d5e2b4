/**
 * A joined training set as an Arrow IPC stream, typed by output-types.ts: int64 stays
 * Int64, numbers Float64, booleans Bool, text Utf8, dates Date32 (days), timestamps
 * Timestamp(ms, UTC); a null is a null. The spine's key columns are typed by the
 * contract column they feed, the timestamp column is Timestamp(ms, UTC).
 *
 * Each chunk is one record batch, written as it is joined: the stream is the schema
 * message once, the batches, and the end-of-stream marker, so a chunk is serialised
 * alone and its schema prefix and end marker are cut off.
 */
import {
  Bool,
  DateDay,
  Field,
  Float64,
  Int64,
  makeBuilder,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  TimeUnit,
  Timestamp,
  Utf8,
  type DataType,
} from 'apache-arrow';
import type { Value } from '../domain/value';
import type { TrainingPlan } from './multi-view';
import { outputKind, storedMillis, type OutputKind } from './output-types';
import type { JoinedChunk } from './spine-join';
import { KeyColumn, type SpineSlice } from './spine-slice';

const EOS_BYTES = 8;

export class ArrowTrainingWriter {
  private readonly schema: Schema;
  private readonly keyKinds: OutputKind[];
  private readonly kinds: OutputKind[];
  private readonly keys: KeyColumn[];
  private readonly empty: Uint8Array;
  private started = false;

  constructor(
    private readonly plan: TrainingPlan,
    timestampColumn: string,
  ) {
    this.keyKinds = plan.spineColumns.map((c) => outputKind(c.type));
    this.keys = plan.spineColumns.map((c) => new KeyColumn(c.name, c.type));
    this.kinds = plan.columns.map((c) => outputKind(c.type));
    this.schema = new Schema([
      ...plan.spineColumns.map((c, k) => new Field(c.name, arrowType(this.keyKinds[k]!), true)),
      new Field(timestampColumn, arrowType('timestamp'), false),
      ...plan.columns.map((c, j) => new Field(c.name, arrowType(this.kinds[j]!), true)),
    ]);
    this.empty = RecordBatchStreamWriter.writeAll(new Table(this.schema)).toUint8Array(true);
  }

  /** The bytes of one chunk: the first carries the schema. */
  chunk(rows: SpineSlice, joined: JoinedChunk): Uint8Array {
    const columns: Value[][] = this.keys.map((k) => k.values(rows));
    columns.push(Array.from(rows.times));
    for (const col of joined.values)
      columns.push(col instanceof Float64Array ? Array.from(col, (v) => (v === v ? v : null)) : col);
    const kinds = [...this.keyKinds, 'timestamp' as const, ...this.kinds];
    const children = this.schema.fields.map((f, j) => {
      const b = makeBuilder({ type: f.type as DataType, nullValues: [null] });
      const kind = kinds[j]!;
      for (const v of columns[j]!) b.append(arrowValue(v, kind));
      return b.finish().flush();
    });
    const batch = new RecordBatch(
      this.schema,
      makeData({ type: new Struct(this.schema.fields), length: rows.length, nullCount: 0, children }),
    );
    const bytes = RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
    const from = this.started ? this.empty.length - EOS_BYTES : 0;
    this.started = true;
    return bytes.subarray(from, bytes.length - EOS_BYTES);
  }

  /** The end of the stream (with the schema when no chunk came). */
  end(): Uint8Array {
    return this.started ? this.empty.subarray(this.empty.length - EOS_BYTES) : this.empty;
  }
}

function arrowType(kind: OutputKind): DataType {
  switch (kind) {
    case 'int64':
      return new Int64();
    case 'float64':
      return new Float64();
    case 'bool':
      return new Bool();
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new Timestamp(TimeUnit.MILLISECOND, 'UTC');
    default:
      return new Utf8();
  }
}

function arrowValue(v: Value, kind: OutputKind): unknown {
  if (v === null) return null;
  switch (kind) {
    case 'int64':
      return typeof v === 'number' ? BigInt(Math.trunc(v)) : null;
    case 'float64':
      return typeof v === 'number' ? v : null;
    case 'bool':
      return typeof v === 'boolean' ? v : null;
    case 'date':
    case 'timestamp':
      return storedMillis(v);
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

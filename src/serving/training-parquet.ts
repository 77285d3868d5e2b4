/**
 * A joined training set as a Parquet file (hyparquet-writer), typed by output-types.ts:
 * int64 INT64, numbers DOUBLE, booleans BOOLEAN, text BYTE_ARRAY UTF8 (STRING), dates
 * INT32 DATE, timestamps INT64 TIMESTAMP(MILLIS, adjusted to UTC); every column is
 * OPTIONAL and a null is a null. The spine's key columns are typed by the contract
 * column they feed, the timestamp column is a REQUIRED TIMESTAMP.
 *
 * Each chunk is one row group, written and handed out as it is joined: the writer keeps
 * only the row groups' metadata (for the footer), so memory follows a chunk. A stream
 * cut off before `end()` has no footer, which every Parquet reader refuses.
 */
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { coercerFor, INVALID } from '../pipeline/coerce';
import type { Value } from '../domain/value';
import type { TrainingPlan } from './multi-view';
import { outputKind, type OutputKind } from './output-types';
import type { JoinedChunk, SpineRow } from './spine-join';

const DAY_MS = 86_400_000;

export class ParquetTrainingWriter {
  private readonly bytes = new ByteWriter(1 << 20);
  private readonly writer: ParquetWriter;
  private readonly names: string[];
  private readonly kinds: OutputKind[];

  constructor(
    private readonly plan: TrainingPlan,
    timestampColumn: string,
  ) {
    this.names = [
      ...plan.spineColumns.map((c) => c.name),
      timestampColumn,
      ...plan.columns.map((c) => c.name),
    ];
    this.kinds = [
      ...plan.spineColumns.map((c) => outputKind(c.type)),
      'timestamp',
      ...plan.columns.map((c) => outputKind(c.type)),
    ];
    const keys = plan.spineColumns.length;
    this.writer = new ParquetWriter({
      writer: this.bytes,
      schema: [
        { name: 'schema', num_children: this.names.length },
        ...this.names.map((name, j) => element(name, this.kinds[j]!, j !== keys)),
      ],
      createdBy: 'tidemark',
    });
  }

  /** The bytes of one chunk (one row group): the first carries the file's magic number. */
  chunk(rows: SpineRow[], joined: JoinedChunk): Uint8Array {
    if (rows.length === 0) return this.take();
    const columns: ArrayLike<unknown>[] = [];
    this.plan.spineColumns.forEach((c, k) => {
      const coerce = coercerFor(c.type);
      const kind = this.kinds[k]!;
      columns.push(
        rows.map((r) => {
          const v = coerce((r.entity as Record<string, unknown>)[c.name] ?? null);
          return v === INVALID ? null : parquetValue(v, kind);
        }),
      );
    });
    // REQUIRED, so never null: a typed array spares a BigInt object per row.
    const times = new BigInt64Array(rows.length);
    for (let i = 0; i < rows.length; i++) times[i] = BigInt(rows[i]!.at);
    columns.push(times);
    const offset = this.plan.spineColumns.length + 1;
    joined.values.forEach((values, j) => {
      const kind = this.kinds[offset + j]!;
      columns.push(convertColumn(values, kind));
    });
    void this.writer.write({
      columnData: this.names.map((name, j) => ({ name, data: columns[j]! as unknown[] })),
      rowGroupSize: rows.length,
    });
    return this.take();
  }

  /** The footer (after the magic number alone when no chunk came). */
  end(): Uint8Array {
    void this.writer.finish();
    return this.take();
  }

  /** What was written since the last take, copied out so the buffer is reused. */
  private take(): Uint8Array {
    const out = this.bytes.getBytes().slice();
    this.bytes.index = 0;
    return out;
  }
}

function element(name: string, kind: OutputKind, nullable: boolean): SchemaElement {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (kind) {
    case 'int64':
      return { name, repetition_type, type: 'INT64' };
    case 'float64':
      return { name, repetition_type, type: 'DOUBLE' };
    case 'bool':
      return { name, repetition_type, type: 'BOOLEAN' };
    case 'date':
      return { name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'timestamp':
      return {
        name,
        repetition_type,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    default:
      return {
        name,
        repetition_type,
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
      };
  }
}

function convertColumn(values: Value[], kind: OutputKind): unknown[] {
  const out = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = parquetValue(values[i]!, kind);
  return out;
}

/** A stored value as the writer takes it for its column (null where it does not fit). */
function parquetValue(v: Value, kind: OutputKind): unknown {
  if (v === null) return null;
  switch (kind) {
    case 'int64':
      return typeof v === 'number' ? BigInt(Math.trunc(v)) : null;
    case 'float64':
      return typeof v === 'number' ? v : null;
    case 'bool':
      return typeof v === 'boolean' ? v : null;
    case 'date': {
      const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
      return Number.isFinite(ms) ? Math.floor(ms / DAY_MS) : null;
    }
    case 'timestamp': {
      const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
      return Number.isFinite(ms) ? BigInt(Math.trunc(ms)) : null;
    }
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

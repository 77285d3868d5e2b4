/**
 * A Parquet file of flat columns, written a row group at a time: each column of a
 * chunk becomes an optional dictionary page and one DATA_PAGE_V2 (levels as they are,
 * values Snappy-compressed), and the footer lists every row group. Page headers and
 * the footer's Thrift come from hyparquet-writer; the pages themselves are encoded by
 * parquet-column.ts straight from typed arrays (hyparquet-writer's general path, which
 * takes a JS value per row and handles nesting, was most of a bulk training set's
 * encoding time).
 */
import { createRequire } from 'node:module';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import type { ColumnChunk, RowGroup, SchemaElement } from 'hyparquet';
import { encodeColumn, type ColumnSpec, type EncodedColumn } from './parquet-column';
import type { ParquetColumn } from './training-parquet';

const MAGIC = 0x31524150; // "PAR1"

/**
 * Snappy in native code (the `snappy` package) where the platform has a build of it,
 * hyparquet-writer's JavaScript one elsewhere; the bytes are Snappy either way.
 */
const snappy = ((): ((bytes: Uint8Array) => Uint8Array) => {
  try {
    const { compressSync } = createRequire(import.meta.url)('snappy') as {
      compressSync(b: Uint8Array, o: { copyOutputData: boolean }): Buffer;
    };
    return (bytes) => {
      const out = compressSync(bytes, { copyOutputData: true });
      return new Uint8Array(out.buffer, out.byteOffset, out.length);
    };
  } catch {
    return snappyCompress;
  }
})();

export class ParquetFileWriter {
  private readonly bytes = new ByteWriter(1 << 20);
  private readonly rowGroups: RowGroup[] = [];
  private rows = 0;

  /** `schema` is the file's root element followed by one element per spec. */
  constructor(
    private readonly schema: SchemaElement[],
    private readonly specs: ColumnSpec[],
    private readonly createdBy: string,
  ) {
    this.bytes.appendUint32(MAGIC);
  }

  /** One row group's bytes (after the magic number, for the first). */
  rowGroup(rows: number, columns: ParquetColumn[]): Uint8Array {
    if (rows > 0) {
      const start = this.bytes.offset;
      const chunks: ColumnChunk[] = [];
      let uncompressed = 0;
      this.specs.forEach((spec, j) => {
        const chunk = this.writeColumn(j, encodeColumn(spec, columns[j]!, rows));
        uncompressed += Number(chunk.meta_data!.total_uncompressed_size);
        chunks.push(chunk);
      });
      this.rows += rows;
      this.rowGroups.push({
        columns: chunks,
        num_rows: BigInt(rows),
        total_byte_size: BigInt(uncompressed),
        total_compressed_size: BigInt(this.bytes.offset - start),
      });
    }
    return this.take();
  }

  /** The footer, then the closing magic number. */
  end(): Uint8Array {
    writeMetadata(this.bytes, {
      version: 2,
      created_by: this.createdBy,
      schema: this.schema,
      num_rows: BigInt(this.rows),
      row_groups: this.rowGroups,
      metadata_length: 0,
    });
    this.bytes.appendUint32(MAGIC);
    return this.take();
  }

  private writeColumn(j: number, col: EncodedColumn): ColumnChunk {
    const start = this.bytes.offset;
    let uncompressed = 0;
    let dictionaryOffset: bigint | undefined;
    if (col.dictionary) {
      dictionaryOffset = BigInt(start);
      const packed = snappy(col.dictionary.bytes);
      const headerStart = this.bytes.offset;
      writePageHeader(this.bytes, {
        type: 'DICTIONARY_PAGE',
        uncompressed_page_size: col.dictionary.bytes.length,
        compressed_page_size: packed.length,
        dictionary_page_header: { num_values: col.dictionary.count, encoding: 'PLAIN' },
      });
      uncompressed += this.bytes.offset - headerStart + col.dictionary.bytes.length;
      this.bytes.appendBytes(packed);
    }
    const dataOffset = BigInt(this.bytes.offset);
    const packed = snappy(col.values);
    const headerStart = this.bytes.offset;
    writePageHeader(this.bytes, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: col.levels.length + col.values.length,
      compressed_page_size: col.levels.length + packed.length,
      data_page_header_v2: {
        num_values: col.rows,
        num_nulls: col.nullCount,
        num_rows: col.rows,
        encoding: col.encoding,
        definition_levels_byte_length: col.levels.length,
        repetition_levels_byte_length: 0,
        is_compressed: true,
      },
    });
    uncompressed += this.bytes.offset - headerStart + col.levels.length + col.values.length;
    this.bytes.appendBytes(col.levels);
    this.bytes.appendBytes(packed);
    const element = this.schema[1 + j]!;
    return {
      file_offset: BigInt(start),
      meta_data: {
        type: element.type!,
        encodings: col.dictionary ? ['PLAIN', 'RLE', 'RLE_DICTIONARY'] : ['PLAIN', 'RLE'],
        path_in_schema: [element.name],
        codec: 'SNAPPY',
        num_values: BigInt(col.rows),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(this.bytes.offset - start),
        data_page_offset: dataOffset,
        ...(dictionaryOffset !== undefined ? { dictionary_page_offset: dictionaryOffset } : {}),
        ...(col.statistics ? { statistics: col.statistics } : {}),
      },
    };
  }

  /** What was written since the last take, copied out so the buffer is reused. */
  private take(): Uint8Array {
    const out = this.bytes.getBytes().slice();
    this.bytes.index = 0;
    return out;
  }
}

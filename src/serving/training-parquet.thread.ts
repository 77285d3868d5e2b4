/**
 * The Parquet writer of a bulk training set, on its own thread: encoding (dictionaries,
 * statistics, Snappy) cost about as much main-thread time as reading and joining the
 * chunk, and it held the event loop that answers every other request. The join turns
 * a chunk into columns here (cheap), the thread encodes it while the next chunk is
 * read; answers come back in order.
 */
import { OrderedWorker } from '../lib/ts-worker';
import type { TrainingPlan } from './multi-view';
import type { JoinedChunk } from './spine-join';
import { KeyColumn, type SpineSlice } from './spine-slice';
import { parquetChunk, parquetLayout, type ParquetLayout } from './training-parquet';
import type { EncoderRequest } from './training-parquet.worker';

export class ParquetThreadWriter {
  private readonly layout: ParquetLayout;
  private readonly keys: KeyColumn[];
  private encoder: OrderedWorker<EncoderRequest, Uint8Array | null> | null = null;

  constructor(
    private readonly plan: TrainingPlan,
    timestampColumn: string,
  ) {
    this.layout = parquetLayout(plan, timestampColumn);
    this.keys = plan.spineColumns.map((c) => new KeyColumn(c.name, c.type));
  }

  /** The bytes of one chunk (one row group): the first carries the file's magic number. */
  async chunk(rows: SpineSlice, joined: JoinedChunk): Promise<Uint8Array> {
    const { chunk, transfer } = parquetChunk(this.layout, this.keys, rows, joined);
    return (await this.worker().call({ type: 'chunk', chunk }, transfer))!;
  }

  /** The footer. */
  async end(): Promise<Uint8Array> {
    return (await this.worker().call({ type: 'end' }))!;
  }

  async close(): Promise<void> {
    await this.encoder?.close();
  }

  /** Started with the first chunk: a spine refused before its first rows costs no thread. */
  private worker(): OrderedWorker<EncoderRequest, Uint8Array | null> {
    if (!this.encoder) {
      this.encoder = new OrderedWorker(
        new URL('./training-parquet.worker.ts', import.meta.url),
        'the Parquet encoder',
      );
      // Answered before the first chunk's (in order); a failure shows at the first chunk.
      this.encoder.call({ type: 'layout', layout: this.layout }).catch(() => undefined);
    }
    return this.encoder;
  }
}

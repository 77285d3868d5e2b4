/**
 * The run's feature rows as the commit consumes them: the transform's batches, each row
 * hashed into the output digest and serialised as it is read, so the commit can insert
 * them while they are being made (the database writes one chunk on its own thread while
 * the next is computed) and no run ever holds all of them. Between two batches the
 * event loop may turn (slices.ts): the transform's batches are small for that reason.
 *
 * Read once. The digest and the count are known when the reading has finished.
 */
import { createDigester } from './digest';
import type { FeatureRow, SealedFeatureRow } from '../domain/rows';
import { Slicer } from '../lib/slices';

export interface SealedRows extends AsyncIterable<SealedFeatureRow[]> {
  /** Rows read so far; the total once reading has finished. */
  readonly count: number;
  /** The output digest; throws if the rows have not all been read. */
  digest(): string;
  /** The greatest event time of the rows read (null for none); final once all are read. */
  readonly newestEventTime: number | null;
}

/** `observe` sees each row as it is sealed (the run's feature profiles are taken there). */
export function sealRows(
  batches: AsyncIterable<FeatureRow[]> | Iterable<FeatureRow[]>,
  slicer = new Slicer(),
  observe?: (row: FeatureRow) => void,
): SealedRows {
  const digester = createDigester();
  let count = 0;
  let newest = -Infinity;
  let digest: string | null = null;
  let started = false;
  return {
    get count() {
      return count;
    },
    get newestEventTime() {
      return count === 0 ? null : newest;
    },
    digest() {
      if (digest === null) throw new Error('the output digest is known only once every feature row was read');
      return digest;
    },
    async *[Symbol.asyncIterator]() {
      if (started) throw new Error('sealed feature rows can be read only once');
      started = true;
      for await (const batch of batches) {
        const sealed = new Array<SealedFeatureRow>(batch.length);
        for (let i = 0; i < batch.length; i++) {
          const row = batch[i]!;
          const { entityKey, eventTime, rowNumber, rawBatchId } = row;
          if (eventTime > newest) newest = eventTime;
          observe?.(row);
          const valuesJson = digester.add(row);
          sealed[i] = { entityKey, eventTime, valuesJson, json: digester.lastLine, rowNumber, rawBatchId };
        }
        count += batch.length;
        yield sealed;
        await slicer.maybePause();
      }
      digest = digester.digest();
    },
  };
}

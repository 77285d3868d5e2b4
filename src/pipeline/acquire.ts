/**
 * Acquisition: every input becomes a raw batch first, kept immutable and
 * content-addressed. Content already acquired for the contract is recognised by
 * its sha256 and not acquired again; `force` reuses the kept batch for a new run.
 */
import type { Clock, IdGenerator } from '../clock';
import type { Store } from '../store/store';
import { isUniqueViolation } from '../store/dialect';
import { InputError } from '../errors';
import type { RegisteredContract } from '../contracts/registry.types';
import { RawStore, type StoredBlob } from './raw-store';
import { resolveLandingFile, resolveLandingFiles } from './landing';
import { recordsToJsonl } from './sources/jsonl.source';
import type { RawBatch } from './run.types';

export interface Acquired {
  /** Every input as a kept raw batch (new, or the batch kept earlier for the same content). */
  batches: RawBatch[];
  /** Ids of batches whose content was kept before this call. */
  known: Set<string>;
}

export class Acquirer {
  constructor(
    private readonly deps: {
      store: Store;
      rawStore: RawStore;
      clock: Clock;
      ids: IdGenerator;
      landingDir: string;
    },
  ) {}

  /** Files of a csv/jsonl contract: its glob, or one explicit file inside the landing dir. */
  async files(contract: RegisteredContract, opts: { file?: string } = {}): Promise<Acquired> {
    const source = contract.contract.source;
    if (source.type !== 'csv' && source.type !== 'jsonl') {
      throw new InputError(
        `contract ${contract.name} reads from '${source.type}', not from files; push records with ingest`,
      );
    }
    const paths = opts.file
      ? [await resolveLandingFile(this.deps.landingDir, opts.file)]
      : await resolveLandingFiles(this.deps.landingDir, source.path ?? '');
    const out: Acquired = { batches: [], known: new Set() };
    for (const path of paths) {
      // Hash first: content kept before is recognised without copying it again.
      const sha = await RawStore.hashFile(path);
      // Two files with the same content in one acquisition are one input (one raw batch per run).
      if (out.batches.some((b) => b.sha256 === sha)) continue;
      const known = await this.deps.store.rawBatches.findBySha(contract.name, sha);
      if (known) out.known.add(known.id);
      out.batches.push(
        known ?? (await this.keep(contract, source.type, path, await this.deps.rawStore.putFile(path))),
      );
    }
    return out;
  }

  /** Pushed records, kept as one JSON Lines raw batch. */
  async records(
    contract: RegisteredContract,
    records: unknown[],
    opts: { uri?: string } = {},
  ): Promise<Acquired> {
    if (records.length === 0) throw new InputError('records must not be empty');
    const blob = await this.deps.rawStore.putBuffer(recordsToJsonl(records));
    const known = await this.deps.store.rawBatches.findBySha(contract.name, blob.sha256);
    if (known) return { batches: [known], known: new Set([known.id]) };
    return {
      batches: [await this.keep(contract, 'push', opts.uri ?? null, blob, records.length)],
      known: new Set(),
    };
  }

  private async keep(
    contract: RegisteredContract,
    sourceType: string,
    uri: string | null,
    blob: StoredBlob,
    rowCount: number | null = null,
  ): Promise<RawBatch> {
    const batch: RawBatch = {
      id: this.deps.ids('raw'),
      contractName: contract.name,
      sha256: blob.sha256,
      sourceType,
      sourceUri: uri,
      sizeBytes: blob.sizeBytes,
      rowCount,
      storagePath: blob.storagePath,
      receivedAt: this.deps.clock.now(),
    };
    try {
      await this.deps.store.rawBatches.insert(batch);
      return batch;
    } catch (err) {
      // Another process acquired the same content between our check and insert.
      if (!isUniqueViolation(err)) throw err;
      return (await this.deps.store.rawBatches.findBySha(contract.name, blob.sha256))!;
    }
  }
}

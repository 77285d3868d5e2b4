/**
 * Acquisition: every input becomes a raw batch first, kept immutable and
 * content-addressed. Content already acquired for the contract is recognised by
 * its sha256 and not acquired again; `force` reuses the kept batch for a new run.
 *
 * Landing files are append-only (landing-file.ts, landing-growth.ts): what was acquired
 * of each file is recorded as segments, a file that grew yields only its appended lines
 * as a new raw batch, and a file whose ingested bytes changed is refused rather than
 * read twice.
 */
import { realpath } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, IdGenerator } from '../clock';
import type { Store } from '../store/store';
import { InputError } from '../errors';
import type { RegisteredContract } from '../domain/registered-contract';
import { RawStore, type StoredBlob } from './raw-store';
import { resolveLandingFile, resolveLandingFiles } from './landing';
import { ChangedLandingFileError, LandingFiles, type Refusal } from './landing-file';
import { recordsToJsonl } from './sources/jsonl.source';
import type { RawBatch } from '../domain/raw-batch';

export interface Acquired {
  /** Every input as a kept raw batch (new, or the batch kept earlier for the same content). */
  batches: RawBatch[];
  /** Ids of batches whose content was kept before this call. */
  known: Set<string>;
  /** Landing files read (each may give several batches: what was appended is a batch of its own). */
  files: number;
  /** Landing files not read because they changed after they were ingested (a glob goes on without them). */
  refused: Refusal[];
}

export class Acquirer {
  private readonly landing: LandingFiles;

  constructor(
    private readonly deps: {
      store: Store;
      rawStore: RawStore;
      clock: Clock;
      ids: IdGenerator;
      landingDir: string;
      logger: Logger;
    },
  ) {
    this.landing = new LandingFiles(deps);
  }

  /**
   * Files of a csv/jsonl contract: its glob, or one explicit file inside the landing
   * dir. An explicit file that changed after it was ingested is refused with
   * ChangedLandingFileError; the files of a glob that did are left out (`refused`).
   * `force` reads a changed file whole again and records it anew.
   */
  async files(
    contract: RegisteredContract,
    opts: { file?: string; force?: boolean } = {},
  ): Promise<Acquired> {
    const source = contract.contract.source;
    if (source.type !== 'csv' && source.type !== 'jsonl') {
      throw new InputError(
        `contract ${contract.name} reads from '${source.type}', not from files; push records with ingest`,
      );
    }
    const paths = opts.file
      ? [await resolveLandingFile(this.deps.landingDir, opts.file)]
      : await resolveLandingFiles(this.deps.landingDir, source.path ?? '');
    const root = await realpath(this.deps.landingDir);
    const out: Acquired = { batches: [], known: new Set(), files: 0, refused: [] };
    for (const path of paths) {
      const file = relative(root, path).split(sep).join('/');
      const got = await this.landing.read(contract, source, path, file, opts.force === true);
      if ('refused' in got) {
        out.refused.push({ file, reason: got.refused });
        this.deps.logger.warn(
          { contract: contract.name, file, reason: got.refused },
          'landing file changed after it was ingested; refused',
        );
        continue;
      }
      out.files += 1;
      for (const b of got.batches) {
        // The same content twice in one acquisition is one input (one raw batch per run).
        if (out.batches.some((x) => x.id === b.id || x.sha256 === b.sha256)) continue;
        out.batches.push(b);
        if (got.known.has(b.id)) out.known.add(b.id);
      }
    }
    if (opts.file && out.refused.length > 0) throw new ChangedLandingFileError(contract.name, out.refused);
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
    if (known) return { batches: [known], known: new Set([known.id]), files: 0, refused: [] };
    return {
      batches: [await this.keep(contract, 'push', opts.uri ?? null, blob, records.length)],
      known: new Set(),
      files: 0,
      refused: [],
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
    // Another process may have kept the same content meanwhile: then that batch it is.
    return this.deps.store.rawBatches.insertOrFind(batch);
  }
}

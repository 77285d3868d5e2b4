/**
 * What to read of one landing file, given what was acquired of it before
 * (landing-growth.ts has the rules): the first time, the whole file; after that, only
 * the complete lines appended since, as a raw batch of their own; nothing when it
 * changed after it was ingested (the caller refuses it), unless forced, when its whole
 * content becomes the file's new start.
 *
 * A segment and the raw batch it names are recorded in one transaction, under a lock
 * on the file: two readers (two environments, two instances) never record overlapping
 * segments, and no raw batch is left behind that no segment names (a backfill would
 * read it).
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Clock, IdGenerator } from '../clock';
import { ConflictError } from '../errors';
import type { SourceSpec } from '../domain/contract';
import type { RegisteredContract } from '../domain/registered-contract';
import type { Store } from '../store/store';
import type { LandingSegment } from '../store/landing-segment.repository';
import type { RawStore, StoredBlob } from './raw-store';
import { hashHead, inspectGrowth, lineEndOf, readRange } from './landing-growth';
import type { RawBatch } from '../domain/raw-batch';

export interface Refusal {
  /** Relative to the landing directory. */
  file: string;
  reason: string;
}

/** A landing file changed after it was ingested: reading it again would store its rows twice. */
export class ChangedLandingFileError extends ConflictError {
  constructor(
    contract: string,
    readonly refused: Refusal[],
  ) {
    super(
      refused.map((r) => refusalText(r)).join('; ') +
        `. Land changed content under a new name, or read it whole again with ` +
        `tidemark run ${contract} --file ${refused.length === 1 ? refused[0]!.file : '<file>'} --force ` +
        `(GraphQL: triggerRun(force: true))`,
      { refused },
    );
  }
}

function refusalText(r: Refusal): string {
  return `landing file '${r.file}' changed after it was ingested (${r.reason}); refused, so that no row is stored twice`;
}

export type FileOutcome = { batches: RawBatch[]; known: Set<string> } | { refused: string };

/** What a recorded segment is made of: a raw batch kept before, or content to keep now. */
type Content = { batch: RawBatch } | { blob: StoredBlob; uri: string };

/** Thrown inside the transaction to roll it back when another reader recorded first. */
const RACED = new Error('another reader recorded this segment first');

interface SegmentSpan {
  start: number;
  end: number;
  prefixSha256: string;
}

export class LandingFiles {
  constructor(
    private readonly deps: {
      store: Store;
      rawStore: RawStore;
      clock: Clock;
      ids: IdGenerator;
      logger: Logger;
    },
  ) {}

  /**
   * The raw batches of the file at `abs` (`file` relative to the landing directory):
   * every segment kept of it, plus what was appended since, if anything.
   */
  async read(
    contract: RegisteredContract,
    source: SourceSpec,
    abs: string,
    file: string,
    force: boolean,
  ): Promise<FileOutcome> {
    // One handle, one size: bytes a writer appends meanwhile are for the next acquisition.
    const fh = await open(abs, 'r');
    try {
      const size = (await fh.stat()).size;
      // Another reader recording a segment first sends us round again.
      for (let round = 0; round < 3; round++) {
        const kept = await this.deps.store.landingSegments.forPath(contract.name, file);
        const outcome =
          kept.length > 0
            ? await this.next(contract, source, fh, size, abs, file, force, kept)
            : await this.first(contract, source, fh, size, abs, file);
        if (outcome) return outcome;
      }
      throw new ConflictError(
        `landing file '${file}' changed while it was being read, three times over; run again`,
      );
    } finally {
      await fh.close();
    }
  }

  /**
   * A file with no segment yet is read whole, as its first segment. One read whole
   * before segments were recorded (an upgraded store) starts from that raw batch
   * instead, so the next round takes only what was appended since, or refuses it.
   * Null: go round again.
   */
  private async first(
    contract: RegisteredContract,
    source: SourceSpec,
    fh: FileHandle,
    size: number,
    abs: string,
    file: string,
  ): Promise<FileOutcome | null> {
    const earlier = size > 0 ? await this.deps.store.rawBatches.latestOfUri(contract.name, abs) : null;
    let sha: string;
    let content: Content;
    if (earlier && earlier.sizeBytes > 0) {
      // Read whole before segments were recorded: unless its whole content is kept
      // already, the file continues from that batch (hashed first, to tell).
      sha = await hashHead(fh, size);
      const known = await this.deps.store.rawBatches.findBySha(contract.name, sha);
      if (!known) {
        const span = { start: 0, end: earlier.sizeBytes, prefixSha256: earlier.sha256 };
        await this.record(contract, source, file, span, { batch: earlier }, false);
        return null;
      }
      content = { batch: known };
    } else {
      // Kept as it is hashed, in one read of the file; content kept before (the same
      // bytes under another name) is recognised by the hash, and its copy is not kept twice.
      const blob = await this.deps.rawStore.put(Readable.from(readRange(fh, 0, size)));
      sha = blob.sha256;
      const known = await this.deps.store.rawBatches.findBySha(contract.name, sha);
      content = known ? { batch: known } : { blob, uri: abs };
    }
    if (size === 0) {
      // Nothing to follow yet: what the file holds once it has content is its first segment.
      const empty = await this.keepOnly(contract, source, content);
      return { batches: [empty.batch], known: empty.known ? new Set([empty.batch.id]) : new Set() };
    }
    const span =
      'blob' in content
        ? { start: 0, end: content.blob.sizeBytes, prefixSha256: content.blob.sha256 }
        : { start: 0, end: size, prefixSha256: sha };
    const recorded = await this.record(contract, source, file, span, content, false);
    if (!recorded) return null;
    return { batches: [recorded.batch], known: recorded.known ? new Set([recorded.batch.id]) : new Set() };
  }

  /** A file with segments: unchanged, grown (a new segment), or changed (refused, or forced: read again). */
  private async next(
    contract: RegisteredContract,
    source: SourceSpec,
    fh: FileHandle,
    size: number,
    abs: string,
    file: string,
    force: boolean,
    kept: LandingSegment[],
  ): Promise<FileOutcome | null> {
    const lineEnd = lineEndOf(source.type === 'csv' ? source.encoding : undefined);
    const header = source.type === 'csv' && source.header !== false;
    const growth = await inspectGrowth(fh, size, kept.at(-1)!, lineEnd, header);
    if (growth.kind === 'changed') {
      if (!force) return { refused: growth.reason };
      return this.readAgain(contract, source, fh, size, abs, file, growth.reason);
    }
    const batches = await this.deps.store.rawBatches.getMany(kept.map((s) => s.rawBatchId));
    const known = new Set(batches.map((b) => b.id));
    if (growth.kind !== 'grown') return { batches, known };
    const part = growth.part;
    const blob = await this.deps.rawStore.put(Readable.from(part.content()));
    // Where its rows are in the file (the bytes before dataStart end the line ingested last).
    const uri = `${abs}#bytes=${part.dataStart}-${part.end - 1}`;
    const span = { start: part.start, end: part.end, prefixSha256: part.prefixSha256 };
    const recorded = await this.record(contract, source, file, span, { blob, uri }, false);
    if (!recorded) return null;
    if (recorded.known) known.add(recorded.batch.id);
    return { batches: [...batches, recorded.batch], known };
  }

  /** Forced: the changed file's whole content now, recorded as the file's new start. */
  private async readAgain(
    contract: RegisteredContract,
    source: SourceSpec,
    fh: FileHandle,
    size: number,
    abs: string,
    file: string,
    reason: string,
  ): Promise<FileOutcome> {
    const blob = await this.deps.rawStore.put(Readable.from(readRange(fh, 0, size)));
    const span = { start: 0, end: blob.sizeBytes, prefixSha256: blob.sha256 };
    const recorded = (await this.record(contract, source, file, span, { blob, uri: abs }, true))!;
    this.deps.logger.warn(
      { contract: contract.name, file, reason },
      'landing file changed after it was ingested; read whole again (forced)',
    );
    return { batches: [recorded.batch], known: recorded.known ? new Set([recorded.batch.id]) : new Set() };
  }

  /**
   * Records segment `span` of the file with its raw batch (kept now unless it exists),
   * in one transaction under the file's lock. Null when the file's last segment is no
   * longer the one `span` follows (another reader was first). `restart` replaces the
   * file's segments instead.
   */
  private async record(
    contract: RegisteredContract,
    source: SourceSpec,
    file: string,
    span: SegmentSpan,
    content: Content,
    restart: boolean,
  ): Promise<{ batch: RawBatch; known: boolean } | null> {
    try {
      return await this.deps.store.transaction(async (tx) => {
        await tx.lock(`landing:${contract.name}:${file}`);
        const kept = await tx.landingSegments.forPath(contract.name, file);
        const follows = span.start === 0 ? kept.length === 0 : kept.at(-1)?.end === span.start;
        if (!restart && !follows) throw RACED;
        const { batch, known } = await this.keepOnly(contract, source, content, tx);
        const segment = {
          contractName: contract.name,
          path: file,
          ...span,
          rawBatchId: batch.id,
          recordedAt: this.deps.clock.now(),
        };
        if (restart) await tx.landingSegments.restart(segment);
        // Unique on (contract, path, start): a reader of another process that was first.
        else if (!(await tx.landingSegments.insert(segment))) throw RACED;
        return { batch, known };
      });
    } catch (err) {
      // Rolled back: the raw batch kept for this segment goes with it.
      if (err === RACED) return null;
      throw err;
    }
  }

  /** The raw batch of `content`: the one kept for the same content, or a new one. */
  private async keepOnly(
    contract: RegisteredContract,
    source: SourceSpec,
    content: Content,
    repos: Pick<Store, 'rawBatches'> = this.deps.store,
  ): Promise<{ batch: RawBatch; known: boolean }> {
    if ('batch' in content) return { batch: content.batch, known: true };
    const { blob, uri } = content;
    const fresh: RawBatch = {
      id: this.deps.ids('raw'),
      contractName: contract.name,
      sha256: blob.sha256,
      sourceType: source.type,
      sourceUri: uri,
      sizeBytes: blob.sizeBytes,
      rowCount: null,
      storagePath: blob.storagePath,
      receivedAt: this.deps.clock.now(),
    };
    const batch = await repos.rawBatches.insertOrFind(fresh);
    return { batch, known: batch.id !== fresh.id };
  }
}

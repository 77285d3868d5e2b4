/** Domain runs, raw batches and rejects → GraphQL objects. */
import type { Run as DomainRun } from '../../domain/run';
import type { RawBatch as DomainRawBatch } from '../../domain/raw-batch';
import type { StoredReject } from '../../store/reject.repository';
import { publicRunError } from './run-error';
import { fileNameOf } from '../../pipeline/file-name';
import { warningCount } from '../../domain/validation-report';
import { Run, RunStage, RunStatus, RawBatch, RejectedRow, ValidationReport } from '../types/run.type';

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export function toRunType(r: DomainRun): Run {
  return Object.assign(new Run(), {
    id: r.id,
    contract: r.contractName,
    contractVersion: r.contractVersion,
    contractHash: r.contractHash,
    environment: r.environment,
    trigger: r.trigger,
    status: r.status as RunStatus,
    attempt: r.attempt,
    rowsRead: r.counts.read,
    rowsValid: r.counts.valid,
    rowsRejected: r.counts.rejected,
    rowsFiltered: r.counts.filtered,
    rowsWritten: r.counts.written,
    outputDigest: r.outputDigest,
    validation: r.validation as ValidationReport | null,
    warnings: warningCount(r.validation),
    codeVersion: r.codeVersion,
    createdBy: r.createdBy,
    queuedAt: new Date(r.queuedAt),
    startedAt: date(r.startedAt),
    finishedAt: date(r.finishedAt),
    committedAt: date(r.committedAt),
    invalidatedAt: date(r.invalidatedAt),
    error: publicRunError(r.error, r.errorKind),
    errorKind: r.errorKind,
    errorDetail: r.error,
    parentRunId: r.parentRunId,
    stages: r.stages?.map((st) => Object.assign(new RunStage(), st)) ?? null,
  });
}

export function toRawBatchType(b: DomainRawBatch): RawBatch {
  return Object.assign(new RawBatch(), {
    id: b.id,
    sha256: b.sha256,
    sourceType: b.sourceType,
    sourceUri: b.sourceUri,
    sizeBytes: b.sizeBytes,
    rowCount: b.rowCount,
    receivedAt: new Date(b.receivedAt),
  });
}

export function toRejectType(r: StoredReject): RejectedRow {
  return Object.assign(new RejectedRow(), {
    rowNumber: r.rowNumber,
    rawBatchId: r.rawBatchId,
    file: fileNameOf(r.sourceUri),
    raw: r.raw,
    reasons: r.reasons,
  });
}

/** Opaque keyset cursor over (queued_at, id). */
export function encodeCursor(r: DomainRun): string {
  return Buffer.from(JSON.stringify([r.queuedAt, r.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { queuedAt: number; id: string } | null {
  try {
    const [queuedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (typeof queuedAt === 'number' && typeof id === 'string') return { queuedAt, id };
  } catch {
    // fall through: an unreadable cursor is the caller's error
  }
  return null;
}

/**
 * Counting unexpected rows: one Tally per check per batch. It keeps the first
 * SAMPLE_LIMIT unexpected values for the report and, for rejecting checks, hands a
 * reason for each unexpected row to the batch's RejectSink.
 */
import type { RejectReason } from '../domain/reject';
import type { UnexpectedSample } from '../domain/validation-report';

export const SAMPLE_LIMIT = 20;

/**
 * Reasons per row index. A sparse array indexed like the batch: it costs one slot per
 * row instead of a Map entry, and rows that pass never get an array of their own.
 */
export class RejectSink {
  readonly byRow: Array<RejectReason[] | undefined>;

  constructor(rowCount: number) {
    this.byRow = new Array<RejectReason[] | undefined>(rowCount);
  }

  add(index: number, reason: RejectReason): void {
    const list = this.byRow[index];
    if (list) list.push(reason);
    else this.byRow[index] = [reason];
  }
}

/** How a rejecting check describes its rejects; the value is filled in per row. */
export interface RejectTemplate {
  sink: RejectSink;
  rule: string;
  column?: string;
  message: string;
}

export class Tally {
  elementCount = 0;
  unexpectedCount = 0;
  readonly sample: UnexpectedSample[] = [];

  constructor(private readonly reject: RejectTemplate | null) {}

  /** `rawBatchId` lets the report name the file the row came from (see attachFiles in validate.ts). */
  miss(index: number, rowNumber: number, value: unknown, rawBatchId?: string): void {
    this.unexpectedCount++;
    if (this.sample.length < SAMPLE_LIMIT) this.sample.push(sampleOf(rowNumber, value, rawBatchId));
    const r = this.reject;
    if (r) {
      const reason: RejectReason = { rule: r.rule, message: r.message, value };
      if (r.column !== undefined) reason.column = r.column;
      r.sink.add(index, reason);
    }
  }
}

export function sampleOf(rowNumber: number, value: unknown, rawBatchId?: string): UnexpectedSample {
  return rawBatchId === undefined ? { rowNumber, value } : { rowNumber, rawBatchId, value };
}

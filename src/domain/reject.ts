/** Why a row was set aside, and the row as it was read. */
import type { SourceRow } from './rows';

export interface RejectReason {
  /** What rejected it: `coerce`, `required`, `schema`, or an expectation name. */
  rule: string;
  column?: string;
  message: string;
  value?: unknown;
}

export interface RejectedRow extends SourceRow {
  reasons: RejectReason[];
}

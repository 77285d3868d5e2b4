/** The report of `contracts plan`: what a proposed contract version would do to the last runs' data. */

export interface PlannedRun {
  id: string;
  contractVersion: string;
  committedAt: number;
  rowsRead: number;
  active: RunOutcome;
  proposed: RunOutcome;
}

export interface RunOutcome {
  valid: number;
  rejected: number;
  filtered: number;
  /** Feature rows the run would write (0 when it would fail). */
  rows: number;
  /** Why the run would fail; null when it would commit. */
  failure: string | null;
  ms: number;
}

export interface FeatureChange {
  feature: string;
  /** `added`/`removed`: only one version has the feature. */
  status: 'changed' | 'unchanged' | 'added' | 'removed';
  /** Rows both versions write, compared. */
  rowsCompared: number;
  rowsChanged: number;
  /** The largest |proposed − active| over numeric values; null when no numeric value changed. */
  maxAbsDiff: number | null;
  /** Rows whose value was not null and would be. */
  becomeNull: number;
  /** A few changed rows, for a reviewer to look at. */
  sample: Array<{ entity: string; eventTime: string; active: unknown; proposed: unknown }>;
}

export interface RejectChange {
  rule: string;
  column?: string;
  rows: number;
  sample: Array<{ runId: string; rawBatchId: string; rowNumber: number; file?: string }>;
}

export interface ExpectationChange {
  runId: string;
  /** `not_null(deaths)`; `schema` for the column rules. */
  expectation: string;
  severity: string;
  /** Null: the expectation is not in that version. */
  active: Verdict | null;
  proposed: Verdict | null;
}

export interface Verdict {
  success: boolean;
  unexpectedCount: number;
}

export interface AffectedFeature {
  feature: string;
  /** Why: its own definition changed, or what it reads changed (`via new_cases ← confirmed`). */
  reason: string;
}

export interface ContractPlan {
  contract: string;
  environment: string;
  proposedVersion: string;
  /** The version the proposal is compared with; null when none is active in the environment. */
  activeVersion: string | null;
  /** The feature view replayed (the active version's major). */
  major: number | null;
  runs: PlannedRun[];
  features: FeatureChange[];
  newlyRejected: RejectChange[];
  noLongerRejected: RejectChange[];
  /** Rows the active version writes that the proposed one would not, and the reverse. */
  rowsDropped: number;
  rowsAdded: number;
  expectations: ExpectationChange[];
  affected: AffectedFeature[];
  timing: { activeMs: number; proposedMs: number };
  notes: string[];
}

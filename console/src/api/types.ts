/** The shapes of the GraphQL answers the pages ask for (see schema.graphql). */
export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK' | 'SUPERSEDED';
export const RUN_STATUSES: RunStatus[] = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'ROLLED_BACK',
  'SUPERSEDED',
];
/** What starts a run (src/pipeline/run.types.ts RUN_TRIGGERS). */
export const RUN_TRIGGERS = [
  'schedule',
  'arrival',
  'manual',
  'push',
  'retry',
  'reprocess',
  'backfill',
  'stream',
];

export interface RunSummary {
  id: string;
  contract: string;
  contractVersion: string;
  environment: string;
  status: RunStatus;
  trigger: string;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  /** Warn expectations that did not hold. */
  warnings: number;
  error: string | null;
  errorKind: string | null;
}

export interface Freshness {
  environment: string;
  stale: boolean;
  ageSeconds: number | null;
  sla: string | null;
  newestEventTime: string | null;
}

export interface ContractVersion {
  name: string;
  version: string;
  owner: string;
  description: string | null;
  environments: string[];
  freshness: Freshness[];
}

export interface StreamStatus {
  contract: string;
  environment: string;
  paused: boolean;
  error: string | null;
  lastRunId: string | null;
}

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface RunConnection {
  nodes: RunSummary[];
  pageInfo: PageInfo;
  totalCount: number;
}

export interface UnexpectedSample {
  rowNumber: number;
  rawBatchId?: string;
  file?: string;
  value: unknown;
}

export interface ExpectationResult {
  expect: string;
  column: string | null;
  columns: string[] | null;
  severity: string;
  success: boolean;
  mostly: number | null;
  observedValue: unknown;
  elementCount: number | null;
  unexpectedCount: number | null;
  unexpectedPercent: number | null;
  details: Record<string, unknown> | null;
  sample: UnexpectedSample[] | null;
}

export interface RawBatch {
  id: string;
  sha256: string;
  sizeBytes: number;
  sourceType: string;
  sourceUri: string | null;
  rowCount: number | null;
  receivedAt: string;
}

export interface RunLink {
  id: string;
  status: RunStatus;
  trigger: string;
  queuedAt: string;
}

/** One stage of a run and the wall time it spent there (Run.stages). */
/** A column's or feature's profile over the rows a run stored (GraphQL ColumnProfile). */
export interface ColumnProfile {
  kind: string;
  name: string;
  valueKind: string;
  count: number;
  nulls: number;
  distinct: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  quantiles: Array<{ name: string; value: number }>;
  histogram: Array<{ lo: number; hi: number; count: number }>;
  topValues: Array<{ value: string; count: number }>;
}

export interface RunStage {
  name: string;
  ms: number;
  rows: number | null;
}

export interface RunDetail extends RunSummary {
  attempt: number;
  codeVersion: string;
  contractHash: string;
  createdBy: string;
  committedAt: string | null;
  invalidatedAt: string | null;
  outputDigest: string | null;
  rowsValid: number;
  rowsFiltered: number;
  stages: RunStage[] | null;
  profile: ColumnProfile[];
  parent: RunLink | null;
  children: RunLink[];
  rawBatches: RawBatch[];
  validation: {
    success: boolean;
    statistics: {
      evaluatedExpectations: number;
      successfulExpectations: number;
      unsuccessfulExpectations: number;
      successPercent: number;
    };
    results: ExpectationResult[];
  } | null;
}

export interface RejectedRow {
  rowNumber: number;
  file: string | null;
  rawBatchId: string;
  raw: unknown;
  reasons: Array<{ rule: string; column: string | null; message: string; value: unknown }>;
}

/** A run, as every layer sees it. Database rows are converted in run.repository.ts. */
import type { Environment } from './environment';
import type { ValidationReport } from './validation-report';

export const RUN_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'rolled_back',
  'superseded',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RUN_TRIGGERS = [
  'schedule',
  'arrival',
  'manual',
  'push',
  'retry',
  'reprocess',
  'backfill',
  'stream',
] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export interface RunCounts {
  read: number;
  valid: number;
  rejected: number;
  filtered: number;
  written: number;
}

/** Why a run failed: decides whether it is retried, and how soon (`storage`: a full disk, retried slowly). */
export type RunErrorKind = 'validation' | 'input' | 'transient' | 'interrupted' | 'storage';

export interface Run {
  id: string;
  contractName: string;
  contractVersion: string;
  contractMajor: number;
  contractHash: string;
  environment: Environment;
  trigger: RunTrigger;
  status: RunStatus;
  parentRunId: string | null;
  attempt: number;
  counts: RunCounts;
  outputDigest: string | null;
  validation: ValidationReport | null;
  error: string | null;
  codeVersion: string;
  createdBy: string;
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** System time at which its rows became visible. */
  committedAt: number | null;
  /** System time at which its rows stopped being visible (rollback or supersede). */
  invalidatedAt: number | null;
  /** A queued run does not start before this time (retry backoff). */
  notBefore: number | null;
  errorKind: RunErrorKind | null;
  /** Tie-break between runs' rows at one event time: its commit time, or the superseded run's. */
  precedence: number | null;
  /** Where its time went, stage by stage, in order; null before it ends (and for runs older than the record). */
  stages?: RunStage[] | null;
}

/**
 * One stage of a run and its wall time. Stages overlap the database's work where the
 * pipeline streams (rows are transformed as the commit inserts them), so `ms` is the
 * time the run spent waiting on the stage, and the stages add up to the run's time.
 */
export interface RunStage {
  name: RunStageName;
  ms: number;
  /** Rows the stage handled, where it handles rows. */
  rows: number | null;
}

export const RUN_STAGE_NAMES = [
  'read',
  'history',
  'validate',
  'transform and write features',
  'profiles',
  'rejects',
  'lineage',
  'view checks',
] as const;
export type RunStageName = (typeof RUN_STAGE_NAMES)[number];

export const ZERO_COUNTS: RunCounts = { read: 0, valid: 0, rejected: 0, filtered: 0, written: 0 };

/** Every run status change is published to listeners of this shape. */
export type RunListener = (run: Run) => void;

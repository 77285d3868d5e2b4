/**
 * The run record as the executor makes it (queued) and what it counts: pure, no store.
 */
import type { Clock, IdGenerator } from '../clock';
import type { RegisteredContract } from '../domain/registered-contract';
import type { Environment } from '../domain/environment';
import type { ValidationReport } from '../domain/validation-report';
import { ZERO_COUNTS, type Run, type RunTrigger } from '../domain/run';
import type { PendingRejects } from './write-stage';
import type { ReadResult } from './read-stage';
import type { StageTimer } from './stage-timer';

/** What a run measured before writing: kept by a failed run too. */
export interface Measured {
  /** Every reject; validation rejects get their source records back while the commit runs. */
  rejects: PendingRejects;
  read: ReadResult;
  report: ValidationReport;
}

/** What the run has measured so far, and where its time went: kept by a failed run too. */
export interface Tracked {
  now: Measured | null;
  stages: StageTimer;
}

export interface QueuedRunRequest {
  contract: RegisteredContract;
  environment: Environment;
  trigger: RunTrigger;
  actor: string;
  parentRunId?: string | null;
  supersedes?: Run | null;
  attempt?: number;
  notBefore?: number | null;
}

export function queuedRun(req: QueuedRunRequest, ids: IdGenerator, clock: Clock, codeVersion: string): Run {
  return {
    id: ids('run'),
    contractName: req.contract.name,
    contractVersion: req.contract.version,
    contractMajor: req.contract.major,
    contractHash: req.contract.hash,
    environment: req.environment,
    trigger: req.trigger,
    status: 'queued',
    parentRunId: req.parentRunId ?? req.supersedes?.id ?? null,
    attempt: req.attempt ?? 1,
    counts: { ...ZERO_COUNTS },
    outputDigest: null,
    validation: null,
    error: null,
    codeVersion,
    createdBy: req.actor,
    queuedAt: clock.now(),
    startedAt: null,
    finishedAt: null,
    committedAt: null,
    invalidatedAt: null,
    notBefore: req.notBefore ?? null,
    errorKind: null,
    precedence: null,
  };
}

export function countsOf(m: Measured) {
  return {
    read: m.read.read,
    valid: m.read.read - m.rejects.count - m.read.filtered,
    rejected: m.rejects.count,
    filtered: m.read.filtered,
  };
}

/** Run rows as stored, and their conversion to and from the shared Run type. */
import { fromJson, toJson, toMillis } from './dialect';
import type { Run, RunCounts, RunErrorKind, RunStage, RunStatus, RunTrigger } from '../domain/run';
import type { ValidationReport } from '../domain/validation-report';
import { warningCount } from '../domain/validation-report';
import type { Environment } from '../domain/environment';

export interface DbRunRow {
  id: string;
  contract_name: string;
  contract_version: string;
  contract_major: number;
  contract_hash: string;
  environment: string;
  trigger: string;
  status: string;
  parent_run_id: string | null;
  attempt: number;
  rows_read: number;
  rows_valid: number;
  rows_rejected: number;
  rows_filtered: number;
  rows_written: number;
  output_digest: string | null;
  validation: string | null;
  error: string | null;
  code_version: string;
  created_by: string;
  queued_at: number | string;
  started_at: number | string | null;
  finished_at: number | string | null;
  committed_at: number | string | null;
  invalidated_at: number | string | null;
  not_before: number | string | null;
  claimed_by: string | null;
  lease_until: number | string | null;
  claimed_incarnation?: string | null;
  error_kind: string | null;
  precedence: number | string | null;
  /** Warn expectations that did not hold (migration 20261205000001). */
  warnings?: number;
  /** JSON of the run's stage timings (migration 20261206000001). */
  stages?: string | null;
}

function countsToDb(c: RunCounts) {
  return {
    rows_read: c.read,
    rows_valid: c.valid,
    rows_rejected: c.rejected,
    rows_filtered: c.filtered,
    rows_written: c.written,
  };
}

export function toDb(r: Run): DbRunRow {
  return {
    id: r.id,
    contract_name: r.contractName,
    contract_version: r.contractVersion,
    contract_major: r.contractMajor,
    contract_hash: r.contractHash,
    environment: r.environment,
    trigger: r.trigger,
    status: r.status,
    parent_run_id: r.parentRunId,
    attempt: r.attempt,
    ...countsToDb(r.counts),
    output_digest: r.outputDigest,
    validation: toJson(r.validation),
    warnings: warningCount(r.validation),
    error: r.error,
    code_version: r.codeVersion,
    created_by: r.createdBy,
    queued_at: r.queuedAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    committed_at: r.committedAt,
    invalidated_at: r.invalidatedAt,
    not_before: r.notBefore,
    claimed_by: null,
    lease_until: null,
    error_kind: r.errorKind,
    precedence: r.precedence,
    // Left out when there are none (a run is inserted queued): NULL is the column's default.
    ...(r.stages ? { stages: toJson(r.stages) } : {}),
  };
}

const FIELD_TO_COLUMN: Partial<Record<keyof Run, keyof DbRunRow>> = {
  status: 'status',
  outputDigest: 'output_digest',
  error: 'error',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  committedAt: 'committed_at',
  invalidatedAt: 'invalidated_at',
  attempt: 'attempt',
  notBefore: 'not_before',
  errorKind: 'error_kind',
  precedence: 'precedence',
};

export function patchToDb(p: Partial<Run>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    const col = FIELD_TO_COLUMN[k as keyof Run];
    if (col) out[col] = v;
  }
  if (p.counts) Object.assign(out, countsToDb(p.counts));
  if (p.validation !== undefined) {
    out.validation = toJson(p.validation);
    out.warnings = warningCount(p.validation);
  }
  if (p.stages !== undefined) out.stages = toJson(p.stages);
  return out;
}

export function toRun(r: DbRunRow): Run {
  return {
    id: r.id,
    contractName: r.contract_name,
    contractVersion: r.contract_version,
    contractMajor: r.contract_major,
    contractHash: r.contract_hash,
    environment: r.environment as Environment,
    trigger: r.trigger as RunTrigger,
    status: r.status as RunStatus,
    parentRunId: r.parent_run_id,
    attempt: r.attempt,
    counts: {
      read: r.rows_read,
      valid: r.rows_valid,
      rejected: r.rows_rejected,
      filtered: r.rows_filtered,
      written: r.rows_written,
    },
    outputDigest: r.output_digest,
    validation: fromJson<ValidationReport>(r.validation),
    error: r.error,
    codeVersion: r.code_version,
    createdBy: r.created_by,
    queuedAt: toMillis(r.queued_at)!,
    startedAt: toMillis(r.started_at),
    finishedAt: toMillis(r.finished_at),
    committedAt: toMillis(r.committed_at),
    invalidatedAt: toMillis(r.invalidated_at),
    notBefore: toMillis(r.not_before),
    errorKind: r.error_kind as RunErrorKind | null,
    precedence: toMillis(r.precedence),
    stages: fromJson<RunStage[]>(r.stages ?? null),
  };
}

/** Every column a Run is made of but the report and stage timings (getManyBare). */
export const BARE_COLUMNS = [
  'id',
  'contract_name',
  'contract_version',
  'contract_major',
  'contract_hash',
  'environment',
  'trigger',
  'status',
  'parent_run_id',
  'attempt',
  'rows_read',
  'rows_valid',
  'rows_rejected',
  'rows_filtered',
  'rows_written',
  'output_digest',
  'error',
  'code_version',
  'created_by',
  'queued_at',
  'started_at',
  'finished_at',
  'committed_at',
  'invalidated_at',
  'not_before',
  'error_kind',
  'precedence',
  'warnings',
];

/**
 * Builders for the store tests: a registered contract version, runs, raw batches and
 * rejected rows with sensible defaults that a test overrides where it matters.
 */
import semver from 'semver';
import type { Contract } from '../../src/domain/contract';
import type { RegisteredContract } from '../../src/domain/registered-contract';
import type { RawBatch } from '../../src/domain/raw-batch';
import type { Run } from '../../src/domain/run';
import type { RejectedRow } from '../../src/domain/reject';
import type { Repositories } from '../../src/store/store';

/** 2024-01-01T00:00:00Z: a fixed origin for test times. */
export const T0 = Date.UTC(2024, 0, 1);

let seq = 0;

/** A unique, readable id (`run_0007`) that still sorts by creation within one process. */
export function nextId(prefix: string): string {
  seq += 1;
  return `${prefix}_${String(seq).padStart(6, '0')}`;
}

/** The smallest valid contract: one key column, one event-time column, one feature. */
export function minimalContract(name: string, version: string): Contract {
  return {
    name,
    version,
    owner: 'tests',
    entity: { name: 'country', key: ['country'] },
    eventTime: 'date',
    source: { type: 'push' },
    schema: [
      { name: 'country', type: 'string', required: true },
      { name: 'date', type: 'date', required: true },
      { name: 'confirmed', type: 'integer' },
    ],
    expectations: [],
    features: [{ name: 'confirmed', column: 'confirmed' }],
  };
}

export function makeRegistered(
  name: string,
  version: string,
  overrides: Partial<RegisteredContract> = {},
): RegisteredContract {
  return {
    name,
    version,
    major: semver.major(version),
    hash: `hash-${name}-${version}`.slice(0, 64),
    owner: 'tests',
    contract: minimalContract(name, version),
    yaml: `name: ${name}\nversion: ${version}\n`,
    createdAt: T0,
    createdBy: 'tester',
    ...overrides,
  };
}

/** Inserts a contract_versions row (runs reference (name, version) by foreign key). */
export async function registerContract(
  store: Repositories,
  name: string,
  version: string,
  overrides: Partial<RegisteredContract> = {},
): Promise<RegisteredContract> {
  const c = makeRegistered(name, version, overrides);
  await store.contracts.insertVersion(c);
  return c;
}

/** A queued run of country_daily 1.0.0 in dev; `contractMajor` follows `contractVersion`. */
export function makeRun(overrides: Partial<Run> = {}): Run {
  const contractVersion = overrides.contractVersion ?? '1.0.0';
  return {
    id: nextId('run'),
    contractName: 'country_daily',
    contractVersion,
    contractMajor: semver.major(contractVersion),
    contractHash: 'hash',
    environment: 'dev',
    trigger: 'manual',
    status: 'queued',
    parentRunId: null,
    attempt: 1,
    counts: { read: 0, valid: 0, rejected: 0, filtered: 0, written: 0 },
    outputDigest: null,
    validation: null,
    error: null,
    codeVersion: 'test',
    createdBy: 'tester',
    queuedAt: T0,
    startedAt: null,
    finishedAt: null,
    committedAt: null,
    invalidatedAt: null,
    notBefore: null,
    errorKind: null,
    precedence: null,
    stages: null,
    ...overrides,
  };
}

/** Builds and inserts a run; the contract version must be registered already. */
export async function insertRun(store: Repositories, overrides: Partial<Run> = {}): Promise<Run> {
  const run = makeRun(overrides);
  await store.runs.insert(run);
  return run;
}

/**
 * A run whose rows are visible from `committedAt` on (and, with `invalidatedAt`, until
 * then: a rolled-back run). Status follows the system-time fields.
 */
export async function insertCommittedRun(
  store: Repositories,
  committedAt: number,
  overrides: Partial<Run> = {},
): Promise<Run> {
  const invalidatedAt = overrides.invalidatedAt ?? null;
  return insertRun(store, {
    status: invalidatedAt === null ? 'succeeded' : 'rolled_back',
    startedAt: committedAt,
    finishedAt: committedAt,
    committedAt,
    ...overrides,
  });
}

export function makeRawBatch(overrides: Partial<RawBatch> = {}): RawBatch {
  const id = overrides.id ?? nextId('raw');
  return {
    id,
    contractName: 'country_daily',
    sha256: `sha-${id}`.padEnd(64, '0'),
    sourceType: 'csv',
    sourceUri: `file:///landing/${id}.csv`,
    sizeBytes: 1024,
    rowCount: 10,
    storagePath: `raw/${id}`,
    receivedAt: T0,
    ...overrides,
  };
}

export function makeReject(rawBatchId: string, rowNumber: number): RejectedRow {
  return {
    rawBatchId,
    rowNumber,
    raw: { country: `c${rowNumber}`, confirmed: 'NaN' },
    reasons: [{ rule: 'coerce', column: 'confirmed', message: 'not an integer', value: 'NaN' }],
  };
}

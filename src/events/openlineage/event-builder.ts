/**
 * Builds the OpenLineage run event of one Tidemark run status change. Pure: the
 * emitter fetches the contract and raw batches, this shapes them.
 *
 *   running → START, succeeded → COMPLETE, failed → FAIL (other statuses: no event)
 *   job     = the contract (name) in the configured namespace
 *   inputs  = the run's raw batches (namespace tidemark-raw, name = sha256), columns schema
 *   outputs = the feature view <env>/<contract>/v<major>: features schema, the
 *             validation report as data-quality assertions, rows written on COMPLETE
 */
import type { RegisteredContract } from '../../domain/registered-contract';
import type { RawBatch } from '../../domain/raw-batch';
import type { Run, RunStatus } from '../../domain/run';
import {
  OPENLINEAGE_SCHEMA_URL,
  RAW_NAMESPACE,
  type Facets,
  type LineageEventType,
  type LineageInputDataset,
  type LineageOutputDataset,
  type LineageRunEvent,
} from './event.types';
import {
  assertionsFacet,
  columnsSchemaFacet,
  featuresSchemaFacet,
  jobFacets,
  outputStatisticsFacet,
  runFacets,
} from './facets';
import { lineageRunId } from './run-id';

export interface LineageSource {
  run: Run;
  /** The run's contract version; null only if it vanished, and then facets that need it are left out. */
  contract: RegisteredContract | null;
  rawBatches: RawBatch[];
}

export interface LineageSettings {
  /** The job namespace (and the feature views' dataset namespace). */
  namespace: string;
  producer: string;
}

const EVENT_TYPES: Partial<Record<RunStatus, LineageEventType>> = {
  running: 'START',
  succeeded: 'COMPLETE',
  failed: 'FAIL',
};

/** The event type a status change emits, or null when it emits none. */
export function lineageEventType(status: RunStatus): LineageEventType | null {
  return EVENT_TYPES[status] ?? null;
}

/** The feature view a run writes, as a dataset name. */
export function featureViewName(run: Pick<Run, 'environment' | 'contractName' | 'contractMajor'>): string {
  return `${run.environment}/${run.contractName}/v${run.contractMajor}`;
}

export function buildRunEvent(src: LineageSource, s: LineageSettings): LineageRunEvent | null {
  const eventType = lineageEventType(src.run.status);
  if (!eventType) return null;
  const { run } = src;
  // A reprocess or retry is a run of the same contract, so the parent job is this job.
  const parentJob = run.parentRunId ? { namespace: s.namespace, name: run.contractName } : null;
  return {
    eventType,
    eventTime: new Date(eventTimeOf(run, eventType)).toISOString(),
    producer: s.producer,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: { runId: lineageRunId(run.id), facets: runFacets(s.producer, run, parentJob, eventType === 'FAIL') },
    job: {
      namespace: s.namespace,
      name: run.contractName,
      facets: jobFacets(s.producer, src.contract?.contract ?? null),
    },
    inputs: src.rawBatches.map((b) => inputDataset(b, src.contract, s.producer)),
    outputs: [outputDataset(src, eventType, s)],
  };
}

function eventTimeOf(run: Run, type: LineageEventType): number {
  if (type === 'START') return run.startedAt ?? run.queuedAt;
  return run.finishedAt ?? run.startedAt ?? run.queuedAt;
}

function inputDataset(
  b: RawBatch,
  contract: RegisteredContract | null,
  producer: string,
): LineageInputDataset {
  const ds: LineageInputDataset = { namespace: RAW_NAMESPACE, name: b.sha256 };
  if (contract) ds.facets = { schema: columnsSchemaFacet(producer, contract.contract) };
  return ds;
}

function outputDataset(src: LineageSource, type: LineageEventType, s: LineageSettings): LineageOutputDataset {
  const facets: Facets = {};
  if (src.contract) facets.schema = featuresSchemaFacet(s.producer, src.contract.contract);
  if (src.run.validation) facets.dataQualityAssertions = assertionsFacet(s.producer, src.run.validation);
  const ds: LineageOutputDataset = { namespace: s.namespace, name: featureViewName(src.run), facets };
  if (type === 'COMPLETE')
    ds.outputFacets = { outputStatistics: outputStatisticsFacet(s.producer, src.run.counts.written) };
  return ds;
}

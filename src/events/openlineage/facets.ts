/** Facet builders: Tidemark concepts (contract, run, validation report) → OpenLineage facets. Pure. */
import type { Contract } from '../../domain/contract';
import type { ValidationReport } from '../../domain/validation-report';
import type { Run } from '../../domain/run';
import { featureTypes } from '../../contracts/served-types';
import { FACET_SCHEMA_URLS, type Facet, type Facets } from './event.types';
import { lineageRunId } from './run-id';

type FacetName = keyof typeof FACET_SCHEMA_URLS;

function facet(producer: string, name: FacetName, body: Record<string, unknown>): Facet {
  return { _producer: producer, _schemaURL: FACET_SCHEMA_URLS[name], ...body };
}

/** The columns a raw batch is read as. */
export function columnsSchemaFacet(producer: string, contract: Contract): Facet {
  return facet(producer, 'schema', {
    fields: contract.schema.map((c) => withDescription({ name: c.name, type: c.type }, c.description)),
  });
}

/** The features of a feature view, typed as the serving layer types them. */
export function featuresSchemaFacet(producer: string, contract: Contract): Facet {
  const types = featureTypes(contract);
  return facet(producer, 'schema', {
    fields: contract.features.map((f) =>
      withDescription({ name: f.name, type: types.get(f.name) ?? 'string' }, f.description),
    ),
  });
}

/** One assertion per expectation result; a compound check names its columns joined by commas. */
export function assertionsFacet(producer: string, report: ValidationReport): Facet {
  return facet(producer, 'dataQualityAssertions', {
    assertions: report.results.map((r) => {
      const column = r.column ?? r.columns?.join(',');
      return column === undefined
        ? { assertion: r.expect, success: r.success }
        : { assertion: r.expect, success: r.success, column };
    }),
  });
}

export function outputStatisticsFacet(producer: string, rowsWritten: number): Facet {
  return facet(producer, 'outputStatistics', { rowCount: rowsWritten });
}

export interface JobRef {
  namespace: string;
  name: string;
}

/** The run facets: parent (reprocess, retry), error message (FAIL), and Tidemark's own. */
export function runFacets(producer: string, run: Run, parentJob: JobRef | null, withError: boolean): Facets {
  const out: Facets = {
    tidemark_run: facet(producer, 'tidemarkRun', {
      runId: run.id,
      trigger: run.trigger,
      attempt: run.attempt,
      environment: run.environment,
      contractVersion: run.contractVersion,
      contractHash: run.contractHash,
      codeVersion: run.codeVersion,
      counts: run.counts,
      ...(run.outputDigest ? { outputDigest: run.outputDigest } : {}),
    }),
  };
  if (run.parentRunId && parentJob) {
    out.parent = facet(producer, 'parent', { run: { runId: lineageRunId(run.parentRunId) }, job: parentJob });
  }
  if (withError) {
    out.errorMessage = facet(producer, 'errorMessage', {
      message: run.error ?? `run ${run.id} failed`,
      programmingLanguage: 'TypeScript',
    });
  }
  return out;
}

export function jobFacets(producer: string, contract: Contract | null): Facets {
  const out: Facets = {
    jobType: facet(producer, 'jobType', {
      processingType: 'BATCH',
      integration: 'TIDEMARK',
      jobType: 'CONTRACT_RUN',
    }),
  };
  if (!contract) return out;
  if (contract.description)
    out.documentation = facet(producer, 'documentation', { description: contract.description });
  out.ownership = facet(producer, 'ownership', { owners: [{ name: contract.owner }] });
  return out;
}

function withDescription<T extends object>(
  field: T,
  description: string | undefined,
): T & { description?: string } {
  return description ? { ...field, description } : field;
}

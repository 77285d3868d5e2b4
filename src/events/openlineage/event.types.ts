/**
 * The OpenLineage 2-0-2 run event, as Tidemark emits it: only the parts of the spec
 * we use, typed. Facets carry `_producer` and `_schemaURL` like the spec requires.
 */

/** The core spec version the events follow. */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

const FACETS = 'https://openlineage.io/spec/facets';

/** The `_schemaURL` of each standard facet we emit, at the version whose shape we follow. */
export const FACET_SCHEMA_URLS = {
  parent: `${FACETS}/1-1-0/ParentRunFacet.json#/$defs/ParentRunFacet`,
  errorMessage: `${FACETS}/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet`,
  jobType: `${FACETS}/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet`,
  documentation: `${FACETS}/1-0-1/DocumentationJobFacet.json#/$defs/DocumentationJobFacet`,
  ownership: `${FACETS}/1-0-1/OwnershipJobFacet.json#/$defs/OwnershipJobFacet`,
  schema: `${FACETS}/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet`,
  dataQualityAssertions: `${FACETS}/1-0-1/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet`,
  outputStatistics: `${FACETS}/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet`,
  /** Tidemark's own run facet: the Tidemark run id and what the run was, for correlation. */
  tidemarkRun: 'https://tidemark.dev/spec/facets/1-0-0/TidemarkRunFacet.json#/$defs/TidemarkRunFacet',
} as const;

/** Default producer: a URL naming Tidemark; the code version is appended when known. */
export const DEFAULT_PRODUCER = 'https://tidemark.dev/producer';

/** Where raw batches live as datasets: content-addressed, so the name is the sha256. */
export const RAW_NAMESPACE = 'tidemark-raw';

export type LineageEventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';

export interface Facet {
  _producer: string;
  _schemaURL: string;
  [key: string]: unknown;
}

export type Facets = Record<string, Facet>;

export interface LineageDataset {
  namespace: string;
  name: string;
  facets?: Facets;
}

export interface LineageInputDataset extends LineageDataset {
  inputFacets?: Facets;
}

export interface LineageOutputDataset extends LineageDataset {
  outputFacets?: Facets;
}

export interface LineageRunEvent {
  eventType: LineageEventType;
  /** ISO-8601 with time zone. */
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: Facets };
  job: { namespace: string; name: string; facets?: Facets };
  inputs: LineageInputDataset[];
  outputs: LineageOutputDataset[];
}

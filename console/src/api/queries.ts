/** The GraphQL documents of the console, one place, so a reader sees every call it makes. */
const RUN_SUMMARY = `
  id contract contractVersion environment status trigger queuedAt startedAt finishedAt
  rowsRead rowsWritten rowsRejected warnings error errorKind`;

export const OVERVIEW = `query Overview {
  contracts { name version owner description environments
    freshness { environment stale ageSeconds sla newestEventTime } }
  streams { contract environment paused error lastRunId }
}`;

/** The fields a run mark and the overview's "last run" cell show. */
const RUN_MARK = `id status queuedAt error rowsRead rowsWritten rowsRejected`;

/**
 * The last runs of each contract × environment, one aliased field per pair. The
 * overview asks in chunks of LAST_RUNS_CHUNK pairs, well inside the server's alias
 * (100) and complexity (5,000) limits.
 */
export const LAST_RUNS_CHUNK = 20;
export function lastRunsQuery(pairs: number, first: number): string {
  const vars = Array.from({ length: pairs }, (_, i) => `$c${i}: String!, $e${i}: String!`).join(', ');
  const fields = Array.from(
    { length: pairs },
    (_, i) => `r${i}: runs(contract: $c${i}, environment: $e${i}, first: ${first}) { nodes { ${RUN_MARK} } }`,
  ).join('\n  ');
  return `query LastRuns(${vars}) {\n  ${fields}\n}`;
}

export const CONTRACT_NAMES = `query ContractNames { contracts { name environments } }`;

export const RUNS = `query Runs($first: Int!, $after: String, $contract: String, $environment: String,
    $status: RunStatus, $trigger: String, $from: DateTime, $to: DateTime, $hasRejects: Boolean,
    $succeededWithWarnings: Boolean) {
  runs(first: $first, after: $after, contract: $contract, environment: $environment, status: $status,
    trigger: $trigger, from: $from, to: $to, hasRejects: $hasRejects, succeededWithWarnings: $succeededWithWarnings) {
    totalCount pageInfo { endCursor hasNextPage } nodes { ${RUN_SUMMARY} }
  }
}`;

export const RUN_STATUS_CHANGED = `subscription RunStatusChanged($contract: String, $environment: String) {
  runStatusChanged(contract: $contract, environment: $environment) { ${RUN_SUMMARY} }
}`;

export const RUN = `query Run($id: ID!) {
  run(id: $id) {
    ${RUN_SUMMARY}
    attempt codeVersion contractHash createdBy committedAt invalidatedAt outputDigest rowsValid rowsFiltered
    stages { name ms rows }
    profile { kind name valueKind count nulls distinct min max mean stddev
      quantiles { name value } histogram { lo hi count } topValues { value count } }
    parent { id status trigger queuedAt }
    children { id status trigger queuedAt }
    rawBatches { id sha256 sizeBytes sourceType sourceUri rowCount receivedAt }
    validation {
      success
      statistics { evaluatedExpectations successfulExpectations unsuccessfulExpectations successPercent }
      results { expect column columns severity success mostly observedValue elementCount
        unexpectedCount unexpectedPercent details sample }
    }
  }
}`;

/**
 * The contract version's expectations (where a row check's threshold, min, max, ..., is
 * written) and its column and feature types (a profile of a timestamp is shown as times).
 */
export const CONTRACT_EXPECTATIONS = `query ContractExpectations($name: String!, $version: String!) {
  contract(name: $name, version: $version) { expectations schema { name type } features { name type } }
}`;

export const REJECTS = `query Rejects($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  run(id: $id) { id rejects(first: $first, after: $after, last: $last, before: $before) {
    totalCount nodes { rowNumber file rawBatchId raw reasons { rule column message value } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
}`;

export const KEY_CHECK = `query KeyCheck { __typename }`;

export const CONTRACT = `query Contract($name: String!, $version: String) {
  contract(name: $name, version: $version) {
    name version owner description entity entityKey eventTime environments versions registeredAt
    freshness { environment stale ageSeconds sla newestEventTime }
    schema { name type required description constraints }
    features { name kind description definition }
    expectations
    registeredBy hash
    promotions { id version environment fromEnvironment state at by }
  }
}`;

/* --- Contract page: versions, diff and actions (issue 16) --- */

/** Every registered version with where it is active (filtered to one contract by the page). */
export const CONTRACT_VERSIONS = `query ContractVersions {
  contracts { name version environments registeredAt registeredBy }
}`;

export const CONTRACT_DIFF = `query ContractDiff($name: String!, $from: String!, $to: String!) {
  contractDiff(name: $name, from: $from, to: $to) {
    requiredBump actualBump bumpOk verdict
    changes { rule class path message before after }
    from { version yaml }
    to { version yaml }
  }
}`;

export const APPLY_CONTRACT = `mutation ApplyContract($yaml: String!) {
  applyContract(yaml: $yaml) {
    status
    contract { name version environments }
    compatibility { against requiredBump verdict changes { rule class path message } }
  }
}`;

export const PROMOTE_CONTRACT = `mutation PromoteContract($name: String!, $version: String!, $to: String!) {
  promoteContract(name: $name, version: $version, to: $to) { name version environments }
}`;

export const VIEWER = `query Viewer { viewer { actor role roles keyId } }`;

/* --- Run page: each expectation over the last runs (issue 16) --- */

export const EXPECTATION_HISTORY = `query ExpectationHistory($contract: String!, $environment: String!, $to: DateTime!, $first: Int!) {
  runs(contract: $contract, environment: $environment, to: $to, first: $first) {
    nodes { id status queuedAt contractVersion
      validation { results { expect column columns severity success mostly observedValue
        elementCount unexpectedPercent details } } }
  }
}`;

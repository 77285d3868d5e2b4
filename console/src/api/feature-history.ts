/**
 * The feature explorer's reads: one entity's values over event time as known at a
 * moment (Query.featureHistory, one aliased field per entity), and the moments the
 * store changed (runs' commits and invalidations, from Query.runs).
 */
export interface HistoryPoint {
  eventTime: string;
  values: Record<string, unknown> | null;
  runId: string | null;
  contractVersion: string | null;
}

/**
 * The document the explorer sends, with every input a variable: the page shows it and
 * its variables as they are sent, so a copy reproduces the view exactly.
 */
export function featureHistoryQuery(entities: number): string {
  const fields = Array.from(
    { length: entities },
    (_, i) =>
      `  e${i}: featureHistory(contract: $contract, entity: $entity${i}, environment: $environment, knownAt: $knownAt) {\n` +
      `    eventTime values runId contractVersion\n  }`,
  ).join('\n');
  const vars = Array.from({ length: entities }, (_, i) => `$entity${i}: JSON!`).join(', ');
  return `query FeatureExplorer($contract: String!, $environment: String, $knownAt: DateTime, ${vars}) {\n${fields}\n}`;
}

export const EXPLORER_CONTRACT = `query ExplorerContract($name: String!) {
  contract(name: $name) { name version entityKey environments features { name kind } }
}`;

/** The runs of a contract in an environment whose commits (and rollbacks) are the slider's moments. */
export const STORE_MOMENTS = `query StoreMoments($contract: String!, $environment: String, $after: String) {
  runs(contract: $contract, environment: $environment, first: 500, after: $after) {
    pageInfo { endCursor hasNextPage }
    nodes { id status trigger committedAt invalidatedAt }
  }
}`;

export interface MomentRun {
  id: string;
  status: string;
  trigger: string;
  committedAt: string | null;
  invalidatedAt: string | null;
}

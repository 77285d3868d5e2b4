/** The lineage graph as the API answers it (Query.lineage), and the document that asks. */
export const LINEAGE = `query Lineage($contract: String, $run: ID, $entity: JSON, $environment: String) {
  lineage(contract: $contract, run: $run, entity: $entity, environment: $environment) {
    nodes { id kind label attributes openLineage { type namespace name runId } }
    edges { from to relation attributes }
  }
}`;

export type LineageKind = 'raw_batch' | 'run' | 'contract_version' | 'feature_view';

export interface LineageNode {
  /** `<kind>:<id>`, e.g. run:run_abc, feature_view:dev/card_transactions/v1. */
  id: string;
  kind: LineageKind | string;
  label: string;
  attributes: Record<string, unknown> | null;
  /** Its name in the OpenLineage events Tidemark emits. */
  openLineage: { type: string; namespace: string; name: string; runId: string | null } | null;
}

export interface LineageEdge {
  from: string;
  to: string;
  /** read_by | applied_in | wrote */
  relation: string;
  attributes: Record<string, unknown> | null;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

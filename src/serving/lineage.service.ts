/**
 * Lineage as a graph: raw batch → run (contract version + code version) → feature
 * view, for one run, for a contract's recent runs, or for the runs that wrote one
 * entity's rows.
 */
import type { Environment } from '../domain/environment';
import { InputError, NotFoundError } from '../errors';
import type { Store } from '../store/store';
import type { LineageEdge as StoredEdge } from '../store/lineage.repository';
import type { ContractRegistry } from '../contracts/registry';
import { entityKeyDefinition } from '../pipeline/entity-key-definition';
import type { Run } from '../domain/run';
import { RAW_NAMESPACE } from '../events/openlineage/event.types';
import { lineageRunId } from '../events/openlineage/run-id';

/**
 * A node's name in OpenLineage, as the events Tidemark emits name it
 * (events/openlineage/event-builder.ts): raw batches are input datasets named by their
 * sha256, feature views output datasets, contracts jobs, runs runs of their contract's job.
 */
export interface OpenLineageRef {
  type: 'dataset' | 'job' | 'run';
  namespace: string;
  name: string;
  /** A run's OpenLineage run id (a UUID derived from the Tidemark run id). */
  runId: string | null;
}

export interface GraphNode {
  id: string;
  kind: string;
  label: string;
  attributes: Record<string, unknown> | null;
  openLineage: OpenLineageRef | null;
}

export interface GraphEdge {
  from: string;
  to: string;
  relation: string;
  attributes: Record<string, unknown> | null;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A contract's graph: its newest runs only; past a few dozen runs a drawn graph is unreadable (and slow to lay out). */
const RECENT_RUNS = 50;
const RELATION: Record<string, string> = {
  raw_batch: 'read_by',
  contract_version: 'applied_in',
  run: 'wrote',
};

export class LineageService {
  constructor(
    private readonly deps: {
      store: Store;
      registry: ContractRegistry;
      config?: { openLineage: { namespace: string } };
    },
  ) {}

  async graph(q: {
    contract?: string;
    run?: string;
    entity?: unknown;
    environment: Environment;
  }): Promise<Graph> {
    const runIds = await this.runIds(q);
    // No validation report is drawn: the runs are read without theirs.
    const runs = await this.deps.store.runs.getManyBare(runIds);
    const edges = await this.deps.store.lineage.query({ runIds });
    const graph = build(runs, [...edges, ...(await this.unwritten(runs, edges))]);
    const namespace = this.deps.config?.openLineage.namespace ?? 'tidemark';
    for (const n of graph.nodes) n.openLineage = openLineageRef(n, namespace);
    return graph;
  }

  /**
   * Lineage edges are written with a run's rows, so a run that wrote none (failed,
   * queued, running) has none stored; its raw batches and contract version are known
   * all the same, and a failed run is what a reader most wants to trace.
   */
  private async unwritten(runs: Run[], stored: StoredEdge[]): Promise<StoredEdge[]> {
    const written = new Set(stored.map((e) => e.runId));
    const bare = runs.filter((r) => !written.has(r.id));
    if (bare.length === 0) return [];
    const batches = await this.deps.store.rawBatches.forRuns(bare.map((r) => r.id));
    return bare.flatMap((r): StoredEdge[] => [
      ...(batches.get(r.id) ?? []).map((b): StoredEdge => ({
        runId: r.id,
        fromKind: 'raw_batch',
        fromId: b.id,
        toKind: 'run',
        toId: r.id,
        attributes: { sha256: b.sha256, rows: b.rowCount },
        createdAt: r.queuedAt,
      })),
      {
        runId: r.id,
        fromKind: 'contract_version',
        fromId: `${r.contractName}@${r.contractVersion}`,
        toKind: 'run',
        toId: r.id,
        attributes: { hash: r.contractHash },
        createdAt: r.queuedAt,
      },
    ]);
  }

  private async runIds(q: {
    contract?: string;
    run?: string;
    entity?: unknown;
    environment: Environment;
  }): Promise<string[]> {
    if (q.run) {
      const run = await this.deps.store.runs.get(q.run);
      if (!run) throw new NotFoundError(`run '${q.run}' does not exist`);
      return [run.id];
    }
    if (!q.contract) throw new InputError('lineage needs a contract or a run');
    if (q.entity !== undefined && q.entity !== null) {
      const c = await this.deps.registry.resolve(q.contract, undefined, q.environment);
      const key = entityKeyDefinition(c.contract).fromInput(q.entity);
      return this.deps.store.features.runIdsForEntity(
        { environment: q.environment, contract: c.name, major: c.major },
        key,
      );
    }
    return this.deps.store.runs.newestIds(q.contract, RECENT_RUNS);
  }
}

function build(runs: Run[], stored: StoredEdge[]): Graph {
  const nodes = new Map<string, GraphNode>();
  for (const r of runs) {
    nodes.set(`run:${r.id}`, {
      id: `run:${r.id}`,
      kind: 'run',
      label: `${r.contractName}@${r.contractVersion} ${r.status}`,
      openLineage: null,
      attributes: {
        status: r.status,
        trigger: r.trigger,
        environment: r.environment,
        contract: r.contractName,
        codeVersion: r.codeVersion,
        contractVersion: r.contractVersion,
        outputDigest: r.outputDigest,
      },
    });
  }
  const edges: GraphEdge[] = [];
  for (const e of stored) {
    const from = `${e.fromKind}:${e.fromId}`;
    const to = `${e.toKind}:${e.toId}`;
    if (!nodes.has(from))
      nodes.set(from, node(e.fromKind, e.fromId, e.fromKind === 'raw_batch' ? e.attributes : null));
    if (!nodes.has(to)) nodes.set(to, node(e.toKind, e.toId, null));
    edges.push({ from, to, relation: RELATION[e.fromKind] ?? 'related', attributes: e.attributes });
  }
  return { nodes: [...nodes.values()], edges };
}

function node(kind: string, id: string, attributes: Record<string, unknown> | null): GraphNode {
  return { id: `${kind}:${id}`, kind, label: id, attributes, openLineage: null };
}

function openLineageRef(n: GraphNode, namespace: string): OpenLineageRef | null {
  const id = n.id.slice(n.kind.length + 1);
  const a = n.attributes ?? {};
  switch (n.kind) {
    case 'raw_batch':
      return typeof a.sha256 === 'string'
        ? { type: 'dataset', namespace: RAW_NAMESPACE, name: a.sha256, runId: null }
        : null;
    case 'feature_view':
      // Its id is the view's name, as the events name their output (featureViewName).
      return { type: 'dataset', namespace, name: id, runId: null };
    case 'contract_version':
      return { type: 'job', namespace, name: id.slice(0, id.lastIndexOf('@')), runId: null };
    case 'run':
      return {
        type: 'run',
        namespace,
        name: String(a.contract),
        runId: lineageRunId(id),
      };
    default:
      return null;
  }
}

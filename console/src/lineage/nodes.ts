/**
 * What a lineage node is to a reader: its kind in words, a title and a second line,
 * the run status it carries (runs only), and the console page it opens.
 */
import type { LineageGraph, LineageNode } from '../api/lineage';
import { RUN_STATUSES, type RunStatus } from '../api/types';

export const KIND_WORD: Record<string, string> = {
  raw_batch: 'Raw batch',
  run: 'Run',
  feature_view: 'Feature view',
  contract_version: 'Contract version',
};

export const KIND_ICON: Record<string, string> = {
  raw_batch: '▤',
  run: '⚙',
  feature_view: '◫',
  contract_version: '§',
};

export const RELATION_WORD: Record<string, string> = {
  read_by: 'read by',
  applied_in: 'applied in',
  wrote: 'wrote',
};

/** The node id without its `<kind>:` prefix (run_abc, card_transactions@1.0.0, dev/x/v1). */
export function bareId(node: LineageNode): string {
  return node.id.slice(node.kind.length + 1);
}

/** A run node's status as the API's enum (the graph carries the stored, lowercase word). */
export function runStatus(node: LineageNode): RunStatus | null {
  if (node.kind !== 'run') return null;
  const s = String(node.attributes?.status ?? '').toUpperCase();
  return (RUN_STATUSES as string[]).includes(s) ? (s as RunStatus) : null;
}

export function title(node: LineageNode): string {
  if (node.kind === 'run') return bareId(node);
  if (node.kind === 'raw_batch') return bareId(node);
  return node.label;
}

/** The second line: what a node is about, beyond its id. */
export function subtitle(node: LineageNode): string {
  const a = node.attributes ?? {};
  switch (node.kind) {
    case 'run':
      return `${node.label.replace(/\s+\S+$/, '')} · ${String(a.trigger ?? '')} · ${String(a.environment ?? '')}`;
    case 'raw_batch':
      return `sha256 ${String(a.sha256 ?? '').slice(0, 12)} · ${String(a.rows ?? '?')} rows`;
    case 'feature_view':
      return 'environment / contract / major';
    case 'contract_version':
      return 'contract @ version';
    default:
      return node.kind;
  }
}

/**
 * The page a click opens: a run's page; a raw batch's run (the one that read it); a
 * contract version's page; a feature view in the feature explorer.
 */
export function hrefOf(node: LineageNode, graph: LineageGraph): string | null {
  const id = bareId(node);
  switch (node.kind) {
    case 'run':
      return `/runs/${encodeURIComponent(id)}`;
    case 'raw_batch': {
      const reader = graph.edges.find((e) => e.from === node.id && e.to.startsWith('run:'));
      return reader ? `/runs/${encodeURIComponent(reader.to.slice(4))}` : null;
    }
    case 'contract_version': {
      const at = id.lastIndexOf('@');
      if (at < 0) return null;
      return `/contracts/${encodeURIComponent(id.slice(0, at))}?version=${encodeURIComponent(id.slice(at + 1))}`;
    }
    case 'feature_view': {
      const [environment, contract] = id.split('/');
      if (!environment || !contract) return null;
      return `/features?contract=${encodeURIComponent(contract)}&environment=${encodeURIComponent(environment)}`;
    }
    default:
      return null;
  }
}

/** One line of at most `max` characters (SVG text does not wrap). */
export function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

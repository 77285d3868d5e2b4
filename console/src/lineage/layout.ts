/**
 * Places the lineage graph with dagre (a layered layout: inputs on the left, what they
 * produced to the right), so a graph of any shape reads in the direction data flows.
 * Pure: the graph in, coordinates out (dagre's, node centres, edge polylines).
 */
import dagre from '@dagrejs/dagre';
import type { LineageEdge, LineageGraph, LineageNode } from '../api/lineage';

export const NODE_WIDTH = 250;
export const NODE_HEIGHT = 58;

export interface Point {
  x: number;
  y: number;
}
export interface PlacedNode extends Point {
  node: LineageNode;
}
export interface RoutedEdge {
  edge: LineageEdge;
  points: Point[];
}
export interface Layout {
  nodes: PlacedNode[];
  edges: RoutedEdge[];
  width: number;
  height: number;
}

export function layoutLineage(graph: LineageGraph): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 80, marginx: 24, marginy: 24 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  // An edge to a node the answer does not carry would make dagre invent an empty one.
  const drawn = graph.edges.filter((e) => g.hasNode(e.from) && g.hasNode(e.to));
  drawn.forEach((e, i) => g.setEdge(e.from, e.to, {}, `e${i}`));
  dagre.layout(g);
  const size = g.graph();
  return {
    nodes: graph.nodes.map((node) => {
      const at = g.node(node.id) as { x: number; y: number };
      return { node, x: at.x, y: at.y };
    }),
    edges: drawn.map((edge, i) => ({
      edge,
      points: ((g.edge(edge.from, edge.to, `e${i}`) as { points?: Point[] }).points ?? []).map((p) => ({
        x: p.x,
        y: p.y,
      })),
    })),
    width: size.width ?? 0,
    height: size.height ?? 0,
  };
}

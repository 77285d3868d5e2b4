/**
 * Which features of the proposed version a change reaches, from the two contracts
 * alone (pure): a feature whose own definition changed, and every feature that reads
 * one — through an expression or a window, however many steps away — or that reads a
 * schema column whose rules changed.
 */
import type { ColumnSpec, Contract, FeatureSpec } from '../../domain/contract';
import { compileExpression } from '../../pipeline/expression';
import type { AffectedFeature } from './plan.types';

interface Node {
  /** What defines it, compared between the versions. */
  definition: string;
  /** Names it reads: earlier features (which shadow columns) or schema columns. */
  reads: string[];
}

export function affectedFeatures(active: Contract, proposed: Contract): AffectedFeature[] {
  const before = graph(active);
  const after = graph(proposed);
  const columnsBefore = new Map(active.schema.map((c) => [c.name, columnDefinition(c)]));
  const changedColumns = new Set(
    proposed.schema.filter((c) => columnsBefore.get(c.name) !== columnDefinition(c)).map((c) => c.name),
  );
  // Per affected feature: the cause at the root, and the features between it and the root.
  const causes = new Map<string, { root: string; path: string[] }>();
  const earlier = new Set<string>();
  // Declaration order: a feature reads only earlier features (a later one of the same
  // name as a column does not shadow it yet), so theirs are known.
  for (const [name, node] of after) {
    const old = before.get(name);
    const via = node.reads.find((r) => earlier.has(r) && causes.has(r));
    const column = node.reads.find((r) => !earlier.has(r) && changedColumns.has(r));
    earlier.add(name);
    if (!old) causes.set(name, { root: 'new feature', path: [] });
    else if (old.definition !== node.definition)
      causes.set(name, { root: `definition changed: ${old.definition} → ${node.definition}`, path: [] });
    else if (via !== undefined) {
      const up = causes.get(via)!;
      causes.set(name, { root: up.root, path: [via, ...up.path] });
    } else if (column !== undefined)
      causes.set(name, { root: `reads column ${column}, whose rules changed`, path: [] });
  }
  const reasons = new Map(
    [...causes].map(([name, c]) => [
      name,
      // "reads net_3 ← net (definition changed: …)": the chain back to the change.
      c.path.length === 0 ? c.root : `reads ${c.path.join(' ← ')} (${c.root})`,
    ]),
  );
  return [...reasons].map(([feature, reason]) => ({ feature, reason }));
}

function graph(contract: Contract): Map<string, Node> {
  const columns = contract.schema.map((c) => c.name);
  const out = new Map<string, Node>();
  for (const f of contract.features) out.set(f.name, node(f, [...columns, ...out.keys()]));
  return out;
}

function node(f: FeatureSpec, known: string[]): Node {
  if (f.column !== undefined) return { definition: `column ${f.column}`, reads: [f.column] };
  if (f.window !== undefined) {
    const w = f.window;
    const parts = [
      w.op,
      `of ${w.column}`,
      w.rows !== undefined ? `rows ${w.rows}` : '',
      w.duration !== undefined ? `duration ${w.duration}` : '',
      w.offset !== undefined ? `offset ${w.offset}` : '',
      w.skipNulls ? 'skipNulls' : '',
    ];
    return { definition: `window ${parts.filter(Boolean).join(' ')}`, reads: [w.column] };
  }
  const expr = f.expr ?? '';
  let reads: string[] = [];
  try {
    reads = [...compileExpression(expr, known, `feature ${f.name}`).names];
  } catch {
    // The contract was linted; an expression that does not compile reads nothing we can name.
  }
  return { definition: `expr '${expr.replace(/\s+/g, ' ').trim()}'`, reads };
}

/** A column's rules (not its description): what decides which rows and values reach the features. */
function columnDefinition(c: ColumnSpec): string {
  const { description: _description, ...rules } = c;
  return JSON.stringify(rules, Object.keys(rules).sort());
}

/**
 * How deep a JSON value nests arrays and objects, measured without recursion (a value
 * may be 100,000 levels deep; the record or value itself is level 1, a scalar level 0).
 */
import { Kind, type ValueNode } from 'graphql';

/** Whether arrays and objects nest deeper than `max`, without recursion (the value may be 100,000 deep). */
export function jsonDepthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The same for a value written in the query text. */
export function literalDepthOver(ast: ValueNode, max: number): boolean {
  const stack: Array<[ValueNode, number]> = [[ast, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node.kind !== Kind.LIST && node.kind !== Kind.OBJECT) continue;
    if (depth + 1 > max) return true;
    if (node.kind === Kind.LIST) for (const v of node.values) stack.push([v, depth + 1]);
    else for (const f of node.fields) stack.push([f.value, depth + 1]);
  }
  return false;
}

/**
 * The `JSON` scalar of graphql-scalars with its input bounded in depth: a value nested
 * deeper than LIMITS.maxJsonDepth (as a variable or written in the query) is refused as
 * the caller's error, naming the limit, before anything recursive (key canonicalisation,
 * serialisation, the pipeline) can overflow the stack on it. graphql-js puts the
 * variable or argument in front of the message. Output is unchanged.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLJSON as Unbounded } from 'graphql-scalars';
import { LIMITS } from './limits';

export const GraphQLJSON = new GraphQLScalarType({
  ...Unbounded.toConfig(),
  parseValue: (value) => {
    refuseDeep(jsonDepthOver(value, LIMITS.maxJsonDepth));
    return value;
  },
  parseLiteral: (ast, variables) => {
    refuseDeep(literalDepthOver(ast, LIMITS.maxJsonDepth));
    // Variables inside the literal ({ key: $v }) arrive as values: measured too.
    const value: unknown = Unbounded.parseLiteral(ast, variables);
    refuseDeep(jsonDepthOver(value, LIMITS.maxJsonDepth));
    return value;
  },
});

function refuseDeep(over: boolean): void {
  if (over)
    throw new GraphQLError(
      `JSON value nested deeper than ${LIMITS.maxJsonDepth} levels (arrays and objects); the limit is ${LIMITS.maxJsonDepth}`,
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
}

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

function literalDepthOver(ast: ValueNode, max: number): boolean {
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

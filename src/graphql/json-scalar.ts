/**
 * The `JSON` scalar of graphql-scalars with its input bounded in depth: a value nested
 * deeper than LIMITS.maxJsonDepth (as a variable or written in the query) is refused as
 * the caller's error, naming the limit, before anything recursive (key canonicalisation,
 * serialisation, the pipeline) can overflow the stack on it. graphql-js puts the
 * variable or argument in front of the message. Output is unchanged.
 */
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { GraphQLJSON as Unbounded } from 'graphql-scalars';
import { LIMITS } from './limits';
import { jsonDepthOver, literalDepthOver } from './json-depth';

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

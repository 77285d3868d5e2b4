/**
 * DateTime: graphql-scalars' RFC 3339 date-time, which also accepts a bare date
 * (`2020-03-15`, read as midnight UTC) in arguments and variables, as the CLI's
 * --as-of and --known-at do. Answers are always full date-times (`…T00:00:00.000Z`).
 */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A bare calendar date as midnight UTC, refusing dates that do not exist (2021-02-30). */
function fromBareDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !BARE_DATE.test(value)) return null;
  const d = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) return null;
  return d;
}

/** graphql-scalars' answer for anything else, with a message that names both accepted forms. */
function parseFull<T>(value: unknown, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (typeof value !== 'string') throw err;
    throw new TypeError(
      `DateTime '${value.slice(0, 64)}' is neither a date-time (2020-03-15T12:00:00Z) nor a date (2020-03-15)`,
      { cause: err },
    );
  }
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description:
    'A date-time at UTC, such as 2007-12-03T10:15:30Z (RFC 3339). As input, a bare date such as 2020-03-15 is also accepted and means midnight UTC of that day.',
  serialize: (value) => GraphQLDateTime.serialize(value),
  parseValue: (value) => fromBareDate(value) ?? parseFull(value, () => GraphQLDateTime.parseValue(value)),
  parseLiteral: (ast: ValueNode, variables) => {
    if (ast.kind === Kind.STRING) {
      const date = fromBareDate(ast.value);
      if (date) return date;
    }
    const text = ast.kind === Kind.STRING ? ast.value : undefined;
    return parseFull(text, () => GraphQLDateTime.parseLiteral(ast, variables));
  },
});

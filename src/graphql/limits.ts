/**
 * Limits that keep one request from taking the server down, and the one check that
 * enforces them on a document (operation-measure.ts measures it), on every road a
 * document takes: Apollo's validation (`limitRules`), the HTTP fast path and WebSocket
 * subscriptions (document-cache.ts, before graphql's own rules), and again with each
 * request's variables when a variable sizes a list (limits.plugin.ts, fast-execution.ts,
 * websocket.ts).
 */
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  type ASTVisitor,
  type GraphQLInputType,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { InputError } from '../errors';
import { measureDocument, type OperationMeasure } from './operation-measure';
import { literalDepthOver } from './json-depth';

export const LIMITS = {
  maxDepth: 10,
  maxComplexity: 5_000,
  /** Fields of an operation with every fragment written out where it is spread. */
  maxFields: 2_000,
  maxAliases: 100,
  /** The standard introspection query (graphql-js getIntrospectionQuery) is 15 deep, 3 lists, cost 51,853. */
  maxIntrospectionDepth: 20,
  maxIntrospectionLists: 3,
  maxIntrospectionCost: 120_000,
  /** Lexical tokens of a query text; data belongs in variables. */
  maxTokens: 20_000,
  /** Bytes of one JSON answer. */
  maxResponseBytes: 64 * 1024 * 1024,
  /** Nesting of a JSON value given as an argument or a variable. */
  maxJsonDepth: 32,
  maxEntities: 1_000,
  maxTrainingRows: 100_000,
  maxRecords: 10_000,
  maxPage: 500,
  maxBodyBytes: 16 * 1024 * 1024,
  /** Per caller (API key, or anonymous per address), per instance. */
  ratePerSec: 50,
  rateBurst: 200,
  maxSubscriptionsPerCaller: 100,
} as const;

/** For graphql's `parse` (and Apollo's `parseOptions`): a document over the token limit is not built. */
export const PARSE_OPTIONS: ParseOptions = { maxTokens: LIMITS.maxTokens };

/** Refuses a list argument longer than `max`, naming it. */
export function bounded<T>(list: T[], max: number, name: string): T[] {
  if (list.length > max)
    throw new InputError(`${name} has ${list.length} items; at most ${max} are allowed per request`);
  return list;
}

/** Documents whose list sizes come from variables, as the rule found them (for limits.plugin.ts). */
export const variableSizedDocuments = new WeakMap<DocumentNode, boolean>();

/** The limits as a validation rule, for Apollo's `validationRules`. */
export function limitRules(): ValidationRule[] {
  return [limitRule];
}

function limitRule(ctx: ValidationContext): ASTVisitor {
  return {
    Document(document) {
      const checked = documentLimits(ctx.getSchema(), document);
      variableSizedDocuments.set(document, checked.variableSized);
      for (const error of checked.errors) ctx.reportError(error);
    },
    // A JSON literal too deep, named by its argument (the scalar itself cannot know the name).
    Argument(node) {
      const arg = ctx.getArgument();
      if (!arg || getNamedType(arg.type).name !== 'JSON') return;
      if (literalDepthOver(node.value, LIMITS.maxJsonDepth + listWrappers(arg.type)))
        ctx.reportError(
          limitError(
            `argument '${node.name.value}' holds JSON nested deeper than ${LIMITS.maxJsonDepth} levels; the limit is ${LIMITS.maxJsonDepth}`,
          ),
        );
    },
  };
}

/** `[JSON!]!` is 1: the list the argument itself is, around each JSON value. */
function listWrappers(type: GraphQLInputType): number {
  let n = 0;
  for (let t: GraphQLInputType = getNullableType(type); isListType(t); t = getNullableType(t.ofType)) n++;
  return n;
}

/** The refusals for a document, empty when it is within every limit; with `variables`, lists sized by them. */
export function limitErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables?: Record<string, unknown>,
): GraphQLError[] {
  return measureDocument(schema, document, variables).flatMap(refusals);
}

/**
 * The refusals for a document checked once for many requests, and whether a variable
 * sizes a list in it (then `limitErrors` must run again with each request's variables).
 */
export function documentLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
): { errors: GraphQLError[]; variableSized: boolean } {
  const measures = measureDocument(schema, document);
  return { errors: measures.flatMap(refusals), variableSized: measures.some((m) => m.variableSized) };
}

function refusals(m: OperationMeasure): GraphQLError[] {
  const op = `operation '${m.name}'`;
  const over: string[] = [];
  if (m.fields > LIMITS.maxFields)
    over.push(
      `${op} has ${count(m.fields)} fields with its fragments spread; the limit is ${count(LIMITS.maxFields)}`,
    );
  if (m.aliases > LIMITS.maxAliases)
    over.push(`${op} has ${count(m.aliases)} aliases; the limit is ${LIMITS.maxAliases}`);
  if (m.depth > LIMITS.maxDepth)
    over.push(`${op} is ${m.depth} levels deep; the limit is ${LIMITS.maxDepth}`);
  if (m.cost > LIMITS.maxComplexity)
    over.push(`${op} has complexity ${count(m.cost)}; the limit is ${count(LIMITS.maxComplexity)}`);
  if (m.introspectionDepth > LIMITS.maxIntrospectionDepth)
    over.push(
      `${op} introspects ${m.introspectionDepth} levels deep; the limit is ${LIMITS.maxIntrospectionDepth}`,
    );
  if (m.introspectionLists > LIMITS.maxIntrospectionLists)
    over.push(
      `${op} nests ${m.introspectionLists} introspection lists; the limit is ${LIMITS.maxIntrospectionLists} (types → fields → args)`,
    );
  if (m.introspectionCost > LIMITS.maxIntrospectionCost)
    over.push(
      `${op} has introspection complexity ${count(m.introspectionCost)}; the limit is ${count(LIMITS.maxIntrospectionCost)}`,
    );
  return over.map((message) => limitError(message));
}

/** A refusal: BAD_USER_INPUT. */
function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

const count = (n: number) => (n < 1e15 ? Math.round(n).toLocaleString('en-US') : n.toExponential(2));

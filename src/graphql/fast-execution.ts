/**
 * A shorter road through GraphQL for the requests clients repeat: a POSTed query whose
 * text was seen before, parsed and validated once (document-cache.ts), executed with
 * graphql-js `execute` as Apollo executes it, its errors formatted by the same
 * formatter (error-format.ts), its request measured by the same recorder
 * (graphql-metrics.plugin.ts), answered with the same head and the same bytes. Apollo's
 * pipeline around `execute` (hashing the text, a document store, plugin hooks as
 * promises, a cloned context, a header map) cost more per online read than the read.
 *
 * It answers only what it answers exactly as Apollo would, and returns null for the
 * rest, which then goes to Apollo unchanged: texts that do not parse, pass the limits
 * (limits.ts) or validate, or that ask for introspection; mutations and subscriptions; an operation name that
 * picks no operation; variables that do not coerce (Apollo's 400 comes from Apollo);
 * persisted queries and other extensions; a query string in the URL; an `accept`
 * header other than none, `*∕*` or `application/json`; a request Apollo's CSRF
 * prevention would refuse. test/graphql/fast-execution.test.ts compares the answers
 * of both roads byte for byte.
 */
import {
  execute,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { ValidDocument } from './document-cache';
import { documentsPerSchema, type SchemaSource } from './schema-source';
import { formatExecutionErrors } from './error-format';
import { NO_STORE } from './no-store.plugin';
import type { GraphqlRequestMetrics } from './metrics.plugin';
import type { GraphQLContext } from './context';
import { unmirrored } from './mirrored';
import { limitErrors } from './limits';
import type { ApolloServerPlugin } from '@apollo/server';

export interface FastExecutionOptions {
  /** The schema, or a function giving the current one when it changes while serving. */
  schema: SchemaSource;
  /** Apollo's `validationRules`: the same array Apollo was given. */
  validationRules: readonly ValidationRule[];
  /** Apollo's `formatError`: the same function Apollo was given. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** Apollo's `stringifyResult`: the same function Apollo was given (default: Apollo's own). */
  stringifyResult?: (value: FormattedExecutionResult) => string;
  /** The recorder Apollo's metrics plugin was made with. */
  metrics: GraphqlRequestMetrics;
  /** Apollo's plugins, after start: each one that acts per request must be mirrored here (mirrored.ts). */
  plugins: ReadonlyArray<ApolloServerPlugin<GraphQLContext>>;
}

export interface FastRequest {
  /** The parsed JSON body. */
  body: unknown;
  /** The URL's query string, '' when none. */
  search: string;
  accept: string | undefined;
  contentType: string | undefined;
}

export interface FastAnswer {
  status: number;
  /** Header names and values, alternating, in the order Apollo's answer has them. */
  headers: string[];
  body: string;
}

/** Answers a request as Apollo would, or null to leave it to Apollo. */
export type FastExecution = (
  request: FastRequest,
  context: () => GraphQLContext,
) => Promise<FastAnswer | null>;

/** What Apollo chooses for a single result when the client accepts JSON (or says nothing). */
const JSON_TYPE = 'application/json; charset=utf-8';
/** Apollo's CSRF prevention lets a request through without a preflight header unless it has one of these types. */
const SIMPLE_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * The fast path, or null when one of Apollo's plugins acts per request in a way this
 * path does not mirror (mirrored.ts): then every request must go through Apollo.
 * `plugins` must be the array Apollo was given, after `start()` (Apollo adds its
 * implicit plugins to that same array).
 */
export function fastExecution(opts: FastExecutionOptions): FastExecution | null {
  if (unmirrored(opts.plugins).length > 0) return null;
  // Longer texts are left to Apollo: not worth a place in the cache.
  const documentsNow = documentsPerSchema(opts.schema, {
    validationRules: opts.validationRules,
    maxQueryLength: 64 * 1024,
  });
  const stringify = opts.stringifyResult ?? ((value) => `${JSON.stringify(value)}\n`);
  return async (request, context) => {
    const startedAt = opts.metrics.start();
    if (request.search !== '' || !acceptsJson(request.accept) || !preflighted(request.contentType))
      return null;
    const req = graphqlRequest(request.body);
    if (!req) return null;
    const { schema, documents } = documentsNow();
    const doc = documents.get(req.query);
    // Apollo answers what does not parse or validate, and introspection (its own setting).
    if (!doc || doc.errors || doc.introspection) return null;
    // Over a limit with these variables: Apollo refuses it (limits.plugin.ts), in its words.
    if (doc.variableSized && limitErrors(schema, doc.document, req.variables ?? {}).length > 0) return null;
    const operation = pick(doc, req.operationName);
    if (operation?.operation !== 'query') return null;
    const result: ExecutionResult = await execute({
      schema,
      document: doc.document,
      contextValue: context(),
      variableValues: req.variables,
      operationName: req.operationName,
    });
    // No data: variables did not coerce, which Apollo answers with a 400 of its own.
    if (result.data === undefined) return null;
    const formatted = result.errors ? formatExecutionErrors(result.errors, opts.formatError) : undefined;
    opts.metrics.record(
      operation.name?.value || null,
      operation.operation,
      !!formatted?.errors.length,
      startedAt,
    );
    return {
      status: formatted?.http.status ?? 200,
      headers: head(formatted?.http.headers ?? []),
      // Apollo's field order, through Apollo's stringifyResult.
      body: stringify({ errors: formatted?.errors, data: result.data, extensions: result.extensions }),
    };
  };
}

interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/** The body as Apollo reads a POST, when it holds nothing but a query, variables and an operation name. */
function graphqlRequest(body: unknown): GraphQLRequest | null {
  if (!isRecord(body)) return null;
  let n = 0;
  for (const key in body) {
    if (key !== 'query' && key !== 'variables' && key !== 'operationName') return null;
    n++;
  }
  const { query, variables, operationName } = body;
  if (n === 0 || typeof query !== 'string' || query === '') return null;
  if (variables !== undefined && variables !== null && !isRecord(variables)) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  return {
    query,
    variables: variables ?? undefined,
    operationName: operationName ?? undefined,
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The operation graphql-js will run: the named one, or the only one. */
function pick(doc: ValidDocument, name: string | undefined): OperationDefinitionNode | undefined {
  if (name === undefined) return doc.operations.length === 1 ? doc.operations[0] : undefined;
  return doc.operations.find((o) => o.name?.value === name);
}

function acceptsJson(accept: string | undefined): boolean {
  return accept === undefined || accept === '*/*' || accept === 'application/json';
}

/** As Apollo's preventCsrf: a content type that is not one a form or a simple request can send. */
function preflighted(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const essence = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return essence !== '' && !SIMPLE_TYPES.has(essence);
}

const PLAIN_HEAD = [NO_STORE[0], NO_STORE[1], 'content-type', JSON_TYPE];

/**
 * The headers in the order Apollo sets them: those errors asked for, then cache-control
 * (no-store.plugin.ts, in willSendResponse), then the content type (runHttpQuery).
 */
function head(fromErrors: Array<[string, string]>): string[] {
  if (fromErrors.length === 0) return PLAIN_HEAD;
  const headers = new Map<string, string>();
  for (const [k, v] of fromErrors) headers.set(k.toLowerCase(), v);
  if (!headers.has(NO_STORE[0])) headers.set(NO_STORE[0], NO_STORE[1]);
  if (!headers.has('content-type')) headers.set('content-type', JSON_TYPE);
  const flat: string[] = [];
  for (const [k, v] of headers) flat.push(k, v);
  return flat;
}

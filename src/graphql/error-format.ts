/**
 * The one place where errors become GraphQL errors. Tidemark errors keep their
 * message and get their code; GraphQL's own validation errors keep theirs; a database
 * that cannot be reached (refused, cut, timed out, busy) is UNAVAILABLE, "retry later",
 * and a full disk (SQLITE_FULL, SQLSTATE 53100, ENOSPC) INSUFFICIENT_STORAGE, "disk
 * full", both logged as a warning without a stack and worded without the driver's text;
 * anything else is a bug: logged with its stack, shown to the client as INTERNAL only.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { TidemarkError, ContractValidationError, asStorageFull, asUnavailable } from '../errors';

const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const full = original instanceof TidemarkError ? null : asStorageFull(original);
    if (full) {
      logger.warn(
        { error: errorMessage(original), reason: full.details?.reason, path: formatted.path },
        'disk full in GraphQL operation',
      );
      return {
        message: full.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: full.code },
      };
    }
    const unavailable = original instanceof TidemarkError ? null : asUnavailable(original);
    if (unavailable) {
      logger.warn(
        { error: errorMessage(original), reason: unavailable.details?.reason, path: formatted.path },
        'database unavailable in GraphQL operation',
      );
      return {
        message: unavailable.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: unavailable.code },
      };
    }
    if (original instanceof TidemarkError) {
      const extensions: Record<string, unknown> = { code: original.code };
      if (original instanceof ContractValidationError) extensions.issues = original.issues;
      else if (original.details) extensions.details = original.details;
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
    }
    const code = formatted.extensions?.code;
    if (code === 'GRAPHQL_VALIDATION_FAILED' && ruleCode(error) === 'BAD_USER_INPUT') {
      // Apollo files every validation-rule error under GRAPHQL_VALIDATION_FAILED; the limit
      // rules (limits.ts) say theirs are BAD_USER_INPUT, on the rule's own error.
      return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_USER_INPUT' } };
    }
    if (typeof code === 'string' && PASS_THROUGH.has(code)) return formatted;
    if (original instanceof GraphQLError && !original.originalError && code !== 'INTERNAL_SERVER_ERROR') {
      // Errors raised by graphql-js itself (argument coercion, scalar parsing) are the caller's fault.
      return { ...formatted, extensions: { ...formatted.extensions, code: code ?? 'BAD_USER_INPUT' } };
    }
    logger.error({ err: original, path: formatted.path }, 'internal error in GraphQL operation');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL' },
    };
  };
}

/** The code a validation rule put on the error Apollo wrapped (no instanceof: graphql may load twice). */
function ruleCode(error: unknown): unknown {
  return (error as { originalError?: { extensions?: { code?: unknown } } } | null)?.originalError?.extensions
    ?.code;
}

/** The driver's own words, without the SQL knex puts in front (it may hold a whole batch). */
function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cut = message.lastIndexOf(' - ');
  return (cut >= 0 ? message.slice(cut + 3) : message).slice(0, 300);
}

/** The response head an error asks for through `extensions.http` (Apollo's convention). */
export interface ErrorHttpHead {
  status?: number;
  headers: Array<[string, string]>;
}

/**
 * Execution errors formatted as Apollo's request pipeline formats them (its
 * normalizeAndFormatErrors, which it does not export), for the fast execution path
 * (fast-execution.ts): the code defaults to INTERNAL_SERVER_ERROR, an `extensions.http`
 * moves into the response head, then `formatError` above decides; a formatter that
 * throws gives Apollo's bare internal error. Stack traces are never included (the
 * server runs with includeStacktraceInErrorResponses: false).
 */
export function formatExecutionErrors(
  errors: readonly GraphQLError[],
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
): { errors: GraphQLFormattedError[]; http: ErrorHttpHead } {
  const http: ErrorHttpHead = { headers: [] };
  const formatted = errors.map((error) => {
    try {
      const extensions: Record<string, unknown> = {
        ...error.extensions,
        code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR',
      };
      if (isHttpHead(extensions.http)) {
        if (extensions.http.status) http.status = extensions.http.status;
        for (const [k, v] of extensions.http.headers ?? []) http.headers.push([k, v]);
        delete extensions.http;
      }
      return formatError({ ...error.toJSON(), extensions }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
  return { errors: formatted, http };
}

function isHttpHead(x: unknown): x is { status?: number; headers?: Map<string, string> } {
  if (!x || typeof x !== 'object') return false;
  const h = x as { status?: unknown; headers?: unknown };
  return (
    (!('status' in h) || typeof h.status === 'number') && (!('headers' in h) || h.headers instanceof Map)
  );
}

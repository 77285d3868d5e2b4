/**
 * Subscriptions over graphql-ws without per-subscriber repetition:
 *
 * - `DocumentCache`: parse + validate (graphql's rules and the limit rules) once per
 *   query text, as Apollo's document store does for HTTP; errors are cached too.
 * - `sharedSubscribe`: graphql-js `subscribe` (source stream, then `execute` per event)
 *   except that subscribers with the same document, operation, variables and principal
 *   share one execution per event. Execution depends on nothing else (the event is the
 *   root value; the context is made afresh from the principal for each event), so
 *   each subscriber receives exactly what its own execution would have produced.
 */
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Principal } from '../auth/roles';
import type { GraphQLContext } from './context';

export type Checked = { document: DocumentNode; errors?: undefined } | { errors: GraphQLError[] };

/** Parsed and validated documents by query text; bounded, oldest entries dropped first. */
export class DocumentCache {
  private readonly entries = new Map<string, Checked>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly max = 1000,
  ) {}

  get(query: string): Checked {
    const hit = this.entries.get(query);
    if (hit) return hit;
    const checked = this.check(query);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(query, checked);
    return checked;
  }

  private check(query: string): Checked {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      return { errors: [err as GraphQLError] };
    }
    const errors = validate(this.schema, document, this.rules);
    if (errors.length === 0) return { document };
    return {
      errors: errors.map(
        (e) =>
          new GraphQLError(e.message, {
            extensions: { code: e.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED' },
          }),
      ),
    };
  }
}

type Result = ExecutionResult | Promise<ExecutionResult>;

/** One execution per (event, sharing key). */
const shared = new WeakMap<object, Map<string, Result>>();
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;

/**
 * graphql-ws's `subscribe`: `contextFor(principal)` makes the context each shared
 * execution runs with; the subscriber's own context only opens the source stream.
 */
export function sharedSubscribe(contextFor: (principal: Principal) => GraphQLContext) {
  return async (
    args: ExecutionArgs,
  ): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const principal = (args.contextValue as GraphQLContext).principal;
    const key = sharingKey(args, principal);
    const run = (payload: unknown): Result => {
      if (payload === null || typeof payload !== 'object')
        return execute({ ...args, rootValue: payload, contextValue: contextFor(principal) });
      let byKey = shared.get(payload);
      if (!byKey) shared.set(payload, (byKey = new Map()));
      let result = byKey.get(key);
      if (!result) {
        result = execute({ ...args, rootValue: payload, contextValue: contextFor(principal) });
        byKey.set(key, result);
      }
      return result;
    };
    return mapStream(stream, run);
  };
}

function sharingKey(args: ExecutionArgs, principal: Principal): string {
  let id = documentIds.get(args.document);
  if (id === undefined) documentIds.set(args.document, (id = ++nextDocumentId));
  return JSON.stringify([
    id,
    args.operationName ?? null,
    args.variableValues ?? null,
    principal.keyId,
    principal.role,
    principal.actor,
  ]);
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof Object(v)[Symbol.asyncIterator] === 'function';
}

/** As graphql-js's mapAsyncIterator: each source event through `fn`; return/throw reach the source. */
function mapStream(
  source: AsyncIterable<unknown>,
  fn: (payload: unknown) => Result,
): AsyncGenerator<ExecutionResult, void, void> {
  const it = source[Symbol.asyncIterator]();
  const map = async (r: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult, void>> =>
    r.done ? { value: undefined, done: true } : { value: await fn(r.value), done: false };
  const close = async () => {
    await it.return?.();
  };
  const generator: AsyncGenerator<ExecutionResult, void, void> = {
    next: async () => {
      try {
        return await map(await it.next());
      } catch (err) {
        await close().catch(() => undefined);
        throw err;
      }
    },
    return: async () => {
      await close();
      return { value: undefined, done: true };
    },
    throw: async (err: unknown) => {
      await close();
      throw err;
    },
    [Symbol.asyncIterator]: () => generator,
  } as AsyncGenerator<ExecutionResult, void, void>;
  return generator;
}

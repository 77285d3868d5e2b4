/**
 * Subscriptions over graphql-ws without per-subscriber repetition:
 *
 * (Parsing and validation once per query text: document-cache.ts.)
 * - `sharedSubscribe`: graphql-js `subscribe` (source stream, then `execute` per event)
 *   except that subscribers with the same document, operation, variables and principal
 *   share one execution per event. Execution depends on nothing else (the event is the
 *   root value; the context is made afresh from the principal for each event), so
 *   each subscriber receives exactly what its own execution would have produced.
 */
import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Principal } from '../domain/role';
import type { GraphQLContext } from './context';

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

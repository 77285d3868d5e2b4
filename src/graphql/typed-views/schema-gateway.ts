/**
 * Apollo Server swaps its schema only through its gateway interface: a gateway reports
 * each new schema to `onSchemaLoadOrUpdate`, and Apollo then validates, caches documents
 * and executes against it (with its own `execute`, as `executor: null` asks). This one
 * reports TypedViews' schema, at start and at every change; nothing is federated.
 */
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import type { TypedViews } from './typed-views';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type Listener = Parameters<Gateway['onSchemaLoadOrUpdate']>[0];

export function schemaGateway(views: TypedViews): Gateway {
  const listeners = new Set<Listener>();
  let stopWatching: (() => void) | undefined;
  const report = (listener: Listener) => listener({ apiSchema: views.current, coreSupergraphSdl: '' });
  return {
    onSchemaLoadOrUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async load() {
      for (const listener of listeners) report(listener);
      stopWatching = views.onChange(() => {
        for (const listener of listeners) report(listener);
      });
      return { executor: null };
    },
    async stop() {
      stopWatching?.();
      listeners.clear();
    },
  };
}

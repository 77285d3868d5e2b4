/**
 * Over HTTP Apollo would run a subscription like a query, once, with no event for its
 * resolver: the caller got INTERNAL. A subscription sent over HTTP is refused instead,
 * 400 BAD_USER_INPUT, saying where subscriptions go. The fast execution path takes
 * only queries (fast-execution.ts), so it has nothing to mirror.
 */
import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { mirrored } from './mirrored';

export const SUBSCRIPTION_OVER_HTTP =
  'subscriptions go over WebSocket (graphql-ws) at this URL; over HTTP send queries and mutations';

export function httpOperationsPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  const listener = {
    async didResolveOperation({ operation }: { operation?: { operation: string } }) {
      if (operation?.operation === 'subscription')
        throw new GraphQLError(SUBSCRIPTION_OVER_HTTP, {
          extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
        });
    },
  };
  return mirrored({ requestDidStart: async () => listener });
}

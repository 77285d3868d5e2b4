/**
 * `cache-control: no-store` on every GraphQL answer, as Apollo's cache-control plugin
 * sets it when no field has a cache hint (none in this schema has one): the same
 * header, from the same hook, without that plugin's work on every resolved field.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { mirrored } from './mirrored';

/** The header, for the fast execution path (fast-execution.ts), which answers without Apollo. */
export const NO_STORE = ['cache-control', 'no-store'] as const;

export function noStorePlugin<T extends BaseContext = BaseContext>(): ApolloServerPlugin<T> {
  const listener = {
    async willSendResponse(rc: { response: { http: { headers: Map<string, string> } } }) {
      if (!rc.response.http.headers.has(NO_STORE[0])) rc.response.http.headers.set(NO_STORE[0], NO_STORE[1]);
    },
  };
  return mirrored({ requestDidStart: async () => listener });
}

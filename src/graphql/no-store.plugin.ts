/**
 * `cache-control: no-store` on every GraphQL answer, as Apollo's cache-control plugin
 * sets it when no field has a cache hint (none in this schema has one): the same
 * header, from the same hook, without that plugin's work on every resolved field.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export function noStorePlugin<T extends BaseContext = BaseContext>(): ApolloServerPlugin<T> {
  const listener = {
    async willSendResponse(rc: { response: { http: { headers: Map<string, string> } } }) {
      if (!rc.response.http.headers.has('cache-control'))
        rc.response.http.headers.set('cache-control', 'no-store');
    },
  };
  return { requestDidStart: async () => listener };
}

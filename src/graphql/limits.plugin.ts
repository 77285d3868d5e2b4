/**
 * The limits (limits.ts) with each request's variables, on Apollo's road: validation
 * (`limitRules`) measured the document with a variable `first` at its default, and
 * Apollo keeps validated documents, so one whose list sizes come from variables is
 * measured again once the operation is known, and refused 400 BAD_USER_INPUT before it
 * runs. The fast execution path does the same (fast-execution.ts), hence `mirrored`.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { limitErrors, variableSizedDocuments } from './limits';
import { mirrored } from './mirrored';

export function limitsPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  const listener = {
    async didResolveOperation({
      document,
      request,
      schema,
    }: {
      document: DocumentNode;
      request: { variables?: Record<string, unknown> };
      // The schema this operation runs against (it changes as typed views come and go).
      schema: GraphQLSchema;
    }) {
      if (variableSizedDocuments.get(document) === false) return;
      const errors = limitErrors(schema, document, request.variables ?? {});
      // Thrown from this hook, Apollo answers with the status in `extensions.http`.
      if (errors.length > 0)
        throw new GraphQLError(errors[0]!.message, {
          extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
        });
    },
  };
  return mirrored({ requestDidStart: async () => listener });
}

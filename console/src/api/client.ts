/**
 * GraphQL over HTTP (POST /graphql, JSON): the console reads only through the public API.
 * A 401 means the server wants a (different) key: the prompt is shown and the call
 * fails with AuthRequiredError, which pages show as "waiting for a key" rather than an error.
 */
import { authorizationHeader, requireKey } from '../auth/key-store';

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string };
}

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

export class AuthRequiredError extends GraphQLRequestError {
  constructor(message: string) {
    super(message, 'UNAUTHENTICATED');
    this.name = 'AuthRequiredError';
  }
}

export async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...authorizationHeader() },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body: { data?: T; errors?: GraphQLErrorShape[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError(`the server answered HTTP ${res.status} without JSON`, undefined);
  }
  const first = body.errors?.[0];
  if (res.status === 401 || first?.extensions?.code === 'UNAUTHENTICATED') {
    const message = first?.message ?? 'API key required';
    requireKey(message);
    throw new AuthRequiredError(message);
  }
  if (first) throw new GraphQLRequestError(first.message, first.extensions?.code);
  if (!body.data)
    throw new GraphQLRequestError(`the server answered HTTP ${res.status} without data`, undefined);
  return body.data;
}

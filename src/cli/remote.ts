/**
 * A Tidemark server for the CLI's read commands: `--url` and `--key`, or TIDEMARK_URL
 * and TIDEMARK_API_KEY. With neither URL the commands read the local store as before.
 * The server's refusals become the same typed errors as local ones (exit 1), a server
 * that cannot be reached UnavailableError (exit 75).
 */
import type { Readable } from 'node:stream';
import { loadConfig, type Config } from '../config';
import {
  ForbiddenError,
  InputError,
  NotFoundError,
  RateLimitedError,
  TidemarkError,
  UnauthenticatedError,
  UnavailableError,
} from '../errors';

export interface RemoteOptions {
  url?: string;
  key?: string;
}

export interface Remote {
  url: string;
  key?: string;
}

/** The server to talk to, or null for the local store. */
export function remoteFrom(
  opts: RemoteOptions,
  config: Pick<Config, 'remote'> = loadConfig(),
): Remote | null {
  const url = opts.url ?? config.remote.url;
  if (!url) {
    if (opts.key) throw new InputError('--key needs --url (or TIDEMARK_URL): the local store takes no key');
    return null;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`--url '${url}' is not a URL (e.g. http://127.0.0.1:4000)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InputError(`--url '${url}' is not an http(s) URL`);
  const base = url.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return { url: base, key: opts.key ?? config.remote.apiKey ?? undefined };
}

export async function remoteGraphql<T>(
  remote: Remote,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const res = await post(remote, '/graphql', JSON.stringify({ query, variables }), 'application/json');
  const body = (await res.json().catch(() => null)) as {
    data?: T;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  } | null;
  const first = body?.errors?.[0];
  if (first) throw refusal(first.extensions?.code, first.message, res.status);
  if (!res.ok || !body?.data) throw new UnavailableError(`${remote.url} answered HTTP ${res.status}`);
  return body.data;
}

/** POST /v1/training-set with the spine as the body; a refusal is thrown, the answer is the caller's. */
export async function remoteTrainingSet(
  remote: Remote,
  params: URLSearchParams,
  spine: Readable,
  contentType = 'text/csv',
): Promise<Response> {
  const res = await post(remote, `/v1/training-set?${params}`, spine, contentType);
  if (res.ok) return res;
  const body = (await res.json().catch(() => null)) as {
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  } | null;
  const first = body?.errors?.[0];
  throw refusal(first?.extensions?.code, first?.message ?? `HTTP ${res.status}`, res.status);
}

async function post(
  remote: Remote,
  path: string,
  body: string | Readable,
  contentType: string,
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (remote.key) headers.authorization = `Bearer ${remote.key}`;
  try {
    return await fetch(remote.url + path, {
      method: 'POST',
      headers,
      body: body as unknown as string,
      // A stream body is sent as it is read.
      ...(typeof body === 'string' ? {} : { duplex: 'half' }),
    } as RequestInit);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new UnavailableError(
      `cannot reach ${remote.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    );
  }
}

function refusal(code: string | undefined, message: string, status: number): TidemarkError {
  const text = `the server refused: ${message}`;
  switch (code) {
    case 'UNAUTHENTICATED':
      return new UnauthenticatedError(text);
    case 'FORBIDDEN':
      return new ForbiddenError(text);
    case 'NOT_FOUND':
      return new NotFoundError(text);
    case 'RATE_LIMITED':
      return new RateLimitedError(text, 1000);
    case 'UNAVAILABLE':
    case 'INSUFFICIENT_STORAGE':
      return new UnavailableError(text);
    case 'BAD_USER_INPUT':
      return new InputError(text);
    default:
      return status >= 500 ? new UnavailableError(text) : new InputError(text);
  }
}

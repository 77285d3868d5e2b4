/**
 * GraphQL over HTTP without Express in the way, for the request every client sends:
 * `POST /graphql` with a JSON body of a known length. Express (router, explorer
 * negotiation, `res.send` with its ETag hashing and a body converted to a Buffer)
 * costs more per request than the feature read itself; this path does the same
 * steps in the same order with the same pieces and answers the same bytes:
 *
 *   1. the caller and the rate limit (AuthGate, RateLimiter), as authMiddleware does;
 *   2. the body: a plain JSON object or array is parsed here; anything else (empty, a
 *      byte-order mark, invalid JSON, a strict-mode violation) goes through body-parser's
 *      own `json()` parser on the same bytes, its failures answered as `bodyErrors` does;
 *   3. a query seen before, answered by fast-execution.ts exactly as Apollo would answer
 *      it; otherwise Apollo's `executeHTTPGraphQLRequest` (CSRF prevention, plugins,
 *      validation with the limit rules, error formatting), as the Express integration calls it;
 *   4. the answer written once, with the headers Apollo chose and a Content-Length.
 *
 * Anything else (GET, the explorer page, other content types or encodings, chunked
 * bodies, a declared length over the limit) goes to the Express app unchanged: it is
 * the reference, and test/graphql/http.test.ts checks that both answer alike.
 * The one difference: a POST answer has no ETag (a POST is never revalidated with it).
 */
import type http from 'node:http';
import { Readable } from 'node:stream';
import express from 'express';
import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import { authRefusal } from '../auth/http';
import type { Logger } from 'pino';
import type { AuthGate } from '../auth/gate';
import type { RateLimiter } from '../auth/rate-limit';
import type { Principal } from '../domain/role';
import type { GraphQLContext } from './context';
import type { FastAnswer, FastExecution } from './fast-execution';

export interface GraphQLHttpOptions {
  path: string;
  maxBodyBytes: number;
  gate: AuthGate;
  limiter: RateLimiter;
  context: (principal: Principal) => GraphQLContext;
  /** Where a failure no one else answered is logged before the 500. */
  logger: Logger;
  /** Answers the repeated queries without Apollo's pipeline (fast-execution.ts); Apollo takes the rest. */
  fast?: FastExecution;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
type BodyRequest = http.IncomingMessage & { body?: unknown };

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Wraps the Express app: the common GraphQL POST is answered here, everything else by
 * `fallback`. Returns the listener for http.createServer.
 */
export function graphqlHttp(
  apollo: ApolloServer<GraphQLContext>,
  opts: GraphQLHttpOptions,
  fallback: Handler,
): Handler {
  const parseJson = express.json({ limit: opts.maxBodyBytes });
  const searchStart = opts.path.length;
  return (req, res) => {
    if (!takes(req, opts)) return fallback(req, res);
    const url = req.url!;
    const search = url.length > searchStart ? url.slice(searchStart) : '';
    void serve(req as BodyRequest, res, search).catch((err: unknown) => {
      // Apollo answers its own failures; this is for the rest. Never a 500 without a log line,
      // never a socket left hanging.
      opts.logger.error({ err }, 'GraphQL request failed outside Apollo');
      if (!res.headersSent) send(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.destroy(err as Error);
    });
  };

  async function serve(req: BodyRequest, res: http.ServerResponse, search: string): Promise<void> {
    let principal: Principal;
    try {
      principal = await opts.gate.principal(req.headers.authorization, {
        address: req.socket.remoteAddress,
        transport: 'http',
      });
    } catch (err) {
      // The same answers as the Express path: 401 for a refused key, 429 after too many
      // failures, 503 UNAVAILABLE when the database could not be asked about the key.
      const refusal = authRefusal(err);
      if (!refusal) throw err;
      return send(res, refusal.status, refusal.body, refusal.headers);
    }
    const caller = principal.keyId ?? `anonymous@${req.socket.remoteAddress}`;
    if (!opts.limiter.take(caller)) {
      return send(res, 429, {
        errors: [
          { message: 'rate limit exceeded: slow down and retry', extensions: { code: 'RATE_LIMITED' } },
        ],
      });
    }
    const raw = await readBody(req);
    if (raw === null) return; // the client went away mid-body
    const body = plainJson(raw);
    if (body !== undefined) req.body = body;
    else {
      // Anything but a plain JSON object or array (empty, a BOM, a syntax error, a strict
      // violation): body-parser decides, on the same bytes, so the answer is its own.
      const replay = Object.assign(Readable.from([raw]), { headers: req.headers }) as unknown as BodyRequest;
      const failed = await new Promise<unknown>((resolve) =>
        parseJson(replay as express.Request, res as express.Response, (err?: unknown) => resolve(err)),
      );
      if (failed) return bodyError(res, failed as BodyError, opts.maxBodyBytes);
      req.body = replay.body;
    }

    if (opts.fast) {
      const answer = await opts.fast(
        { body: req.body, search, accept: req.headers.accept, contentType: req.headers['content-type'] },
        () => opts.context(principal),
      );
      if (answer) return writeAnswer(res, answer);
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: 'POST', headers, search, body: req.body };
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => opts.context(principal),
    });
    res.statusCode = answer.status ?? 200;
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    if (answer.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(answer.body.string));
      res.end(answer.body.string);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/** One write: the head in Apollo's order (as the loop above sets it), then the length. */
function writeAnswer(res: http.ServerResponse, answer: FastAnswer): void {
  res.writeHead(answer.status, [...answer.headers, 'content-length', String(Buffer.byteLength(answer.body))]);
  res.end(answer.body);
}

/** The whole body (its declared length, which `takes` checked), or null when the client left. */
function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', () => resolve(null));
    req.once('aborted', () => resolve(null));
  });
}

/**
 * The body as body-parser's strict JSON parser would give it, for a body that starts
 * with `{` or `[` (after JSON whitespace) and parses; undefined for everything else.
 */
function plainJson(raw: Buffer): unknown {
  let i = 0;
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x09 || raw[i] === 0x0a || raw[i] === 0x0d)) i++;
  if (raw[i] !== 0x7b && raw[i] !== 0x5b) return undefined; // `{` or `[`; also rules out a BOM and ''
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The requests this path answers; the rest keep the Express route. */
function takes(req: http.IncomingMessage, opts: GraphQLHttpOptions): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url;
  if (!url || !url.startsWith(opts.path) || (url.length > opts.path.length && url[opts.path.length] !== '?'))
    return false;
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined) return false;
  if (h['content-encoding'] !== undefined && h['content-encoding'].toLowerCase() !== 'identity') return false;
  const length = h['content-length'];
  if (length === undefined || !/^\d+$/.test(length) || Number(length) > opts.maxBodyBytes) return false;
  return isJsonUtf8(h['content-type']);
}

/** `application/json`, with no charset or UTF-8: what body-parser decodes as UTF-8. */
function isJsonUtf8(type: string | undefined): boolean {
  if (!type) return false;
  const t = type.toLowerCase();
  if (t === 'application/json' || t === 'application/json; charset=utf-8') return true;
  const [media, ...params] = t.split(';').map((p) => p.trim());
  if (media !== 'application/json') return false;
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k !== 'charset' || (v !== 'utf-8' && v !== '"utf-8"')) return false;
  }
  return true;
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface BodyError {
  type?: string;
  message?: string;
  status?: number;
}

/**
 * As server.ts `bodyErrors` answers. With a declared length within the limit and a
 * UTF-8 JSON type, the only other failure is a client that went away mid-body.
 */
function bodyError(res: http.ServerResponse, err: BodyError, limit: number): void {
  if (err.type === 'entity.too.large') {
    send(res, 413, {
      errors: [{ message: `request body exceeds ${limit} bytes`, extensions: { code: 'BAD_USER_INPUT' } }],
    });
  } else if (err.type === 'entity.parse.failed') {
    send(res, 400, {
      errors: [
        { message: `request body is not valid JSON: ${err.message}`, extensions: { code: 'BAD_USER_INPUT' } },
      ],
    });
  } else {
    send(res, err.status ?? 400, { errors: [{ message: err.message ?? 'bad request' }] });
  }
}

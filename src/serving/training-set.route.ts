/**
 * POST /v1/training-set: a multi-view training set for a spine of any size. The spine
 * is the request body, as CSV or as Parquet (`Content-Type:
 * application/vnd.apache.parquet`), spooled to a temporary file (at most
 * `maxSpineBytes`) and read once: every row checked, kept (12 bytes a row) and counted
 * per entity, then joined in chunks (bulk-join.ts), each written as it is joined, as
 * CSV, as an Arrow IPC stream or as Parquet row groups (`?format=` or `Accept`). Memory
 * stays in proportion to the spine's rows at 12 bytes each, a chunk, and the join's
 * cache of entity rows (at most `joinCacheBytes`).
 *
 * The caller is decided and rate limited as for GraphQL (the same gate and limiter, one
 * token per request); every role may read. Refusals are GraphQL-shaped JSON with the
 * same codes (error-format.ts maps them): a bad parameter or a bad spine row is a 400
 * naming it, found by the first pass before any answer is sent. A failure after the
 * answer started cannot change the status: the response is cut off without its end
 * (CSV: no final chunk of the chunked encoding; Arrow: no end-of-stream marker; Parquet:
 * no footer), which every client reports as an incomplete answer, and the reason is
 * logged.
 *
 * Parameters (query string):
 *   features=contract:feature (repeated or comma-separated; contract:* for all of a view)
 *   ttl.<contract>=P7D, version.<contract>=1, key.<contract>.<key column>=<spine column>
 *   knownAt=<RFC 3339>, environment=dev|test|prod, fullFeatureNames=true
 *   timestamp=<spine column> (default `timestamp`), format=csv|arrow|parquet
 */
import type http from 'node:http';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { GraphQLFormattedError } from 'graphql';
import { parseEnvironment } from '../config';
import { type Environment } from '../domain/environment';
import { InputError } from '../errors';
import type { AuthGate } from '../auth/gate';
import type { RateLimiter } from '../auth/rate-limit';
import { authRefusal } from '../auth/http';
import type { FeatureService } from './feature.service';
import type { MultiTrainingQuery, ViewRequest } from './multi-view';
import { spool, type Spooled } from './spool';
import {
  columnTypes,
  streamTrainingSet,
  TRAINING_FORMATS,
  type SpineInput,
  type TrainingFormat,
} from './training-set.stream';

export interface BulkLimits {
  maxRows: number;
  chunkRows: number;
  maxSpineBytes: number;
  joinCacheBytes: number;
}

export const BULK_LIMITS: BulkLimits = {
  /** Spine rows per request. */
  maxRows: 10_000_000,
  /** Spine rows joined and written at a time. */
  chunkRows: 50_000,
  /** maxRows at ~100 bytes a row: a spine of the most rows fits well within it. */
  maxSpineBytes: 1024 * 1024 * 1024,
  /** Entity rows the join keeps in memory (bulk-join.ts; TIDEMARK_TRAINING_CACHE_MB): a million rows of 20 numbers take ~180 MB. */
  joinCacheBytes: 256 * 1024 * 1024,
};

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
export const PARQUET = 'application/vnd.apache.parquet';
const CSV = 'text/csv; charset=utf-8';
const CONTENT_TYPES: Record<TrainingFormat, string> = { csv: CSV, arrow: ARROW_STREAM, parquet: PARQUET };

export interface TrainingSetRouteDeps {
  features: FeatureService;
  gate: AuthGate;
  limiter: RateLimiter;
  defaultEnvironment: Environment;
  logger: Logger;
  /** error-format.ts's formatter: the one mapping of errors to codes. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  limits?: Partial<BulkLimits>;
}

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  UNAVAILABLE: 503,
  INSUFFICIENT_STORAGE: 507,
};

export function trainingSetRoutes(deps: TrainingSetRouteDeps): Router {
  const limits = { ...BULK_LIMITS, ...deps.limits };
  const router = Router();
  router.post('/v1/training-set', (req, res) => {
    void serve(req, res).catch((err: unknown) => fail(res, err));
  });
  return router;

  async function serve(req: Request, res: Response): Promise<void> {
    let principal;
    try {
      principal = await deps.gate.principal(req.headers.authorization, {
        address: req.socket.remoteAddress,
        transport: 'http',
      });
    } catch (err) {
      const refusal = authRefusal(err);
      if (!refusal) throw err;
      res.status(refusal.status).set(refusal.headers).json(refusal.body);
      return;
    }
    if (!deps.limiter.take(principal.keyId ?? `anonymous@${req.socket.remoteAddress}`)) {
      res.status(429).json({
        errors: [
          { message: 'rate limit exceeded: slow down and retry', extensions: { code: 'RATE_LIMITED' } },
        ],
      });
      return;
    }
    const params = readParams(req.query as Record<string, unknown>);
    const format = chooseFormat(params.format, req.headers.accept);
    const plan = await deps.features.planTrainingSet(params.query(deps.defaultEnvironment));
    // Spooled to a file: its size is bounded before any work, and a Parquet spine's footer comes last.
    const parquet = isParquet(req.headers['content-type']);
    const spooled: Spooled = await spool(
      req,
      limits.maxSpineBytes,
      parquet ? 'the Parquet spine' : 'the CSV spine',
    );
    const input: SpineInput = parquet ? { parquet: spooled.path } : { csv: createReadStream(spooled.path) };
    let started = false;
    try {
      await streamTrainingSet(
        deps.features.bulkJoin(plan, limits.joinCacheBytes),
        plan,
        input,
        { format, timestampColumn: params.timestamp, ...limits },
        {
          start: async () => {
            started = true;
            res.status(200).set('content-type', CONTENT_TYPES[format]);
            res.set('cache-control', 'no-store');
            // Each column's type, so a CSV reader can type it as the Arrow schema does (the Python client).
            res.set('x-tidemark-types', JSON.stringify(columnTypes(plan, params.timestamp)));
          },
          write: (chunk) => write(res, chunk),
        },
      );
    } catch (err) {
      if (!started) throw err;
      deps.logger.warn({ err: (err as Error).message }, 'training set cut off after its first rows');
      res.destroy();
      return;
    } finally {
      await spooled.dispose();
    }
    res.end();
  }

  function fail(res: Response, err: unknown): void {
    const formatted = deps.formatError({ message: (err as Error)?.message ?? String(err) }, err);
    const code = String(formatted.extensions?.code ?? 'INTERNAL');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The rest of the body is not read: say so, so the client does not keep sending it.
    res.set('connection', 'close');
    res.status(STATUS[code] ?? 500).json({ errors: [{ message: formatted.message, extensions: { code } }] });
  }
}

/** Writes and waits while the client is slower than the join. */
async function write(res: http.ServerResponse, chunk: string | Uint8Array): Promise<void> {
  if (!res.write(chunk)) await once(res, 'drain');
}

function chooseFormat(param: string | undefined, accept: string | undefined): TrainingFormat {
  if (param !== undefined) {
    if ((TRAINING_FORMATS as readonly string[]).includes(param)) return param as TrainingFormat;
    throw new InputError(`format '${param}' is not one of ${TRAINING_FORMATS.join(', ')}`);
  }
  if (accept?.includes(PARQUET)) return 'parquet';
  if (accept?.includes(ARROW_STREAM) || accept?.includes('application/vnd.apache.arrow')) return 'arrow';
  return 'csv';
}

function isParquet(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]!.trim().toLowerCase() === PARQUET;
}

interface Params {
  format?: string;
  timestamp: string;
  query(defaultEnvironment: Environment): MultiTrainingQuery;
}

function readParams(q: Record<string, unknown>): Params {
  const one = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new InputError(`parameter ${name} is given more than once`);
    return v;
  };
  const many = (name: string): string[] => {
    const v = q[name];
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    return list
      .flatMap((s) => String(s).split(','))
      .map((s) => s.trim())
      .filter(Boolean);
  };
  const views = new Map<string, ViewRequest>();
  const view = (contract: string) => {
    let v = views.get(contract);
    if (!v) views.set(contract, (v = { contract }));
    return v;
  };
  const refs: string[] = [];
  // Views in the order the parameters first name them: that is the order of the columns.
  for (const ref of many('features')) {
    const at = ref.indexOf(':');
    if (at > 0) view(ref.slice(0, at));
    if (!ref.endsWith(':*')) refs.push(ref);
  }
  const known = new Set(['features', 'knownAt', 'environment', 'fullFeatureNames', 'timestamp', 'format']);
  for (const name of Object.keys(q)) {
    if (known.has(name)) continue;
    const dot = name.indexOf('.');
    const kind = dot > 0 ? name.slice(0, dot) : name;
    const rest = name.slice(dot + 1);
    if (dot > 0 && kind === 'ttl') view(rest).ttl = one(name);
    else if (dot > 0 && kind === 'version') view(rest).version = one(name);
    else if (dot > 0 && kind === 'key' && rest.includes('.')) {
      const [contract, column] = [rest.slice(0, rest.indexOf('.')), rest.slice(rest.indexOf('.') + 1)];
      const v = view(contract);
      v.keyMap = { ...v.keyMap, [column]: one(name)! };
    } else
      throw new InputError(
        `unknown parameter ${name}; known: features, knownAt, environment, fullFeatureNames, timestamp, format, ttl.<contract>, version.<contract>, key.<contract>.<column>`,
      );
  }
  const knownAt = one('knownAt');
  const full = one('fullFeatureNames');
  if (full !== undefined && full !== 'true' && full !== 'false')
    throw new InputError(`fullFeatureNames '${full}' is not true or false`);
  return {
    format: one('format'),
    timestamp: one('timestamp') ?? 'timestamp',
    query: (defaultEnvironment) => {
      const env = one('environment');
      let at: Date | undefined;
      if (knownAt !== undefined) {
        at = new Date(knownAt.length === 10 ? `${knownAt}T00:00:00Z` : knownAt);
        if (Number.isNaN(at.getTime()))
          throw new InputError(`knownAt '${knownAt}' is not an RFC 3339 date-time`);
      }
      // A view named only by ttl/version/key takes the features its refs name (or all when none do).
      return {
        features: refs,
        views: [...views.values()],
        knownAt: at,
        fullFeatureNames: full === 'true',
        environment: env ? parseEnvironment(env, 'environment') : defaultEnvironment,
      };
    },
  };
}

/**
 * Case online-redis: the "as of now" `features` read for 1 and for 100 entities × 20
 * features at 32 connections, through Tidemark's GraphQL over HTTP on SQLite, answered
 * from Redis (TIDEMARK_ONLINE_STORE=redis) against the same server answering from SQL
 * (the baseline), in this one run and over the same store. Each server runs in its own
 * process; autocannon runs here. Both must give the same answers first.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { startWorker, type Worker } from '../lib/child';
import { load, type LoadResult } from '../lib/load';
import { measure, row, type CaseResult, type ResultRow } from '../lib/result';
import { int, rng } from '../lib/rng';
import { entityName } from '../data/feature-data';
import { sqliteFeatureStore } from '../data/feature-store';

const QUERY =
  'query($e: [JSON!]!) { features(contract: "bench_features", entities: $e) { entity eventTime values } }';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECTIONS = 32;
/** Requests per measured leg at full scale, by entities per request. */
const AMOUNT: Record<number, number> = { 1: 20_000, 100: 4_000 };

type Store = 'redis' | 'sql';

export async function onlineRedisCase(o: BenchOptions): Promise<CaseResult> {
  const entities = scaled(10_000, o, 10);
  const { dir } = await sqliteFeatureStore(o.dataDir, entities, o.seed, o.pgUrl);
  const prefix = `tidemark-bench:${randomBytes(6).toString('hex')}:`;
  const servers = new Map<Store, { w: Worker; url: string }>();
  const details: Record<string, unknown> = { entities };
  const rows: ResultRow[] = [];
  try {
    for (const store of ['sql', 'redis'] as Store[]) {
      const w = await startWorker('online-redis-server.ts', [
        '--store',
        store,
        '--dataDir',
        dir,
        '--redis',
        REDIS_URL,
        '--prefix',
        prefix,
      ]);
      servers.set(store, { w, url: '' });
      const { port, rebuildMs } = await w.next<{ port: number; rebuildMs: number }>('ready');
      servers.set(store, { w, url: `http://127.0.0.1:${port}/graphql` });
      if (store === 'redis') details.rebuildMs = Math.round(rebuildMs);
    }
    details.agreement = await agree(servers.get('redis')!.url, servers.get('sql')!.url, entities);
    for (const perRequest of [1, 100]) {
      const amount = scaled(AMOUNT[perRequest]!, o, 300);
      const runs = new Map<Store, LoadResult[]>([
        ['redis', []],
        ['sql', []],
      ]);
      for (let rep = 0; rep < Math.min(o.reps, 2); rep++) {
        for (const store of ['sql', 'redis'] as Store[]) {
          const url = servers.get(store)!.url;
          const body = bodies(perRequest, entities, o.seed + rep);
          if (rep === 0) await load({ url, connections: CONNECTIONS, amount: Math.ceil(amount / 5), body });
          const r = await load({ url, connections: CONNECTIONS, amount, body });
          if (r.errors || r.non2xx)
            throw new Error(
              `online-redis ${store}: ${r.errors} errors, ${r.non2xx} non-2xx; first: ${r.firstFailure}`,
            );
          runs.get(store)!.push(r);
        }
      }
      rows.push(...variantRows(perRequest, runs.get('redis')!, runs.get('sql')!));
      details[`${perRequest}x${CONNECTIONS}`] = { amount, redis: runs.get('redis'), sql: runs.get('sql') };
    }
    details.redisReads = await servedCounts(servers.get('redis')!.url);
  } finally {
    await Promise.all([...servers.values()].map((s) => s.w.stop()));
    await dropKeys(prefix);
  }
  return { case: 'online-redis', rows, details };
}

function variantRows(perRequest: number, redis: LoadResult[], sql: LoadResult[]): ResultRow[] {
  const what = `${perRequest} ent × 20 f, ${CONNECTIONS} conn, Redis`;
  const base = (f: (r: LoadResult) => number, unit: string, better: 'higher' | 'lower') => ({
    name: 'same server, SQL',
    m: measure(sql.map(f), unit, better),
  });
  return [
    row(
      'online-redis',
      `${what}: throughput`,
      measure(
        redis.map((r) => r.rps),
        'req/s',
        'higher',
      ),
      base((r) => r.rps, 'req/s', 'higher'),
    ),
    row(
      'online-redis',
      `${what}: p99 latency`,
      measure(
        redis.map((r) => r.p99),
        'ms',
        'lower',
      ),
      base((r) => r.p99, 'ms', 'lower'),
    ),
  ];
}

/** Request bodies with seeded random entities (a different mix per repetition). */
function bodies(perRequest: number, entities: number, seed: number): () => string {
  const r = rng(seed);
  return () => {
    const e = Array.from({ length: perRequest }, () => entityName(int(r, entities)));
    return JSON.stringify({ query: QUERY, variables: { e } });
  };
}

async function post(url: string, e: string[]): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY, variables: { e } }),
  });
  const body = (await res.json()) as { data?: { features: unknown[] }; errors?: unknown };
  if (!body.data) throw new Error(`features query failed: ${JSON.stringify(body.errors)}`);
  return body.data.features;
}

/** The Redis and the SQL server give the same answers for the same entities. */
async function agree(
  redisUrl: string,
  sqlUrl: string,
  entities: number,
): Promise<{ entities: number; equal: boolean }> {
  const e = Array.from({ length: 100 }, (_, i) => entityName((i * 7919) % entities));
  const equal = JSON.stringify(await post(redisUrl, e)) === JSON.stringify(await post(sqlUrl, e));
  if (!equal) throw new Error('online-redis: the Redis and the SQL server disagree on the online read');
  return { entities: e.length, equal };
}

/** tidemark_online_reads_total of the Redis server: the reads Redis served, and the fallbacks. */
async function servedCounts(graphqlUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(graphqlUrl.replace('/graphql', '/metrics'))).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^tidemark_online_reads_total\{path="(\w+)",reason="(\w+)"\} (\d+)/gm))
    out[`${m[1]}/${m[2]}`] = Number(m[3]);
  return out;
}

async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
  } finally {
    redis.disconnect();
  }
}

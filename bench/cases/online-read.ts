/**
 * Case 3, online read: `features` for 1 and for 100 entities × 20 features as of
 * now, through Tidemark's GraphQL over HTTP on SQLite, at 1 and at 32 connections,
 * against a bare node:http endpoint doing the same read as one SQL query through
 * the same driver. Each server runs in its own process; autocannon runs here.
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { profileWorker, startWorker, type Worker } from '../lib/child';
import { load, type LoadResult } from '../lib/load';
import { measure, row, target, type CaseResult, type ResultRow } from '../lib/result';
import { int, rng } from '../lib/rng';
import { median } from '../lib/stats';
import { entityName } from '../data/feature-data';
import { sqliteFeatureStore } from '../data/feature-store';

const QUERY =
  'query($e: [JSON!]!) { features(contract: "bench_features", entities: $e) { entity eventTime values } }';

/** Requests per run at full scale, by (entities per request, connections). */
const AMOUNT: Record<string, number> = { '1x1': 5000, '1x32': 20000, '100x1': 1000, '100x32': 4000 };

type Mode = 'tidemark' | 'bare';

/** Requests each server answers before measurement starts (see warmUp). */
const WARM_UP_REQUESTS = 20_000;

export async function onlineCase(o: BenchOptions): Promise<CaseResult> {
  const entities = scaled(10_000, o, 10);
  const { dir } = await sqliteFeatureStore(o.dataDir, entities, o.seed, o.pgUrl);
  const servers = new Map<Mode, { w: Worker; url: string }>();
  for (const mode of ['tidemark', 'bare'] as Mode[]) {
    const w = await startWorker('online-server.ts', ['--mode', mode, '--dataDir', dir]);
    const { port } = await w.next<{ port: number }>('ready');
    servers.set(mode, {
      w,
      url: `http://127.0.0.1:${port}${mode === 'tidemark' ? '/graphql' : '/features'}`,
    });
  }
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = {};
  try {
    details.agreement = await agree(servers.get('tidemark')!.url, servers.get('bare')!.url, entities);
    details.warmUp = await warmUp(dir, servers, entities, o);
    for (const perRequest of [1, 100]) {
      for (const connections of [1, 32]) {
        const amount = scaled(AMOUNT[`${perRequest}x${connections}`]!, o, 300);
        const runs = new Map<Mode, LoadResult[]>([
          ['tidemark', []],
          ['bare', []],
        ]);
        for (let rep = 0; rep < Math.min(o.reps, 2); rep++) {
          for (const mode of ['tidemark', 'bare'] as Mode[]) {
            const url = servers.get(mode)!.url;
            const body = bodies(mode, perRequest, entities, o.seed + rep);
            if (rep === 0) await load({ url, connections, amount: Math.ceil(amount / 10), body }); // warm-up
            const r = await load({ url, connections, amount, body });
            if (r.errors || r.non2xx)
              throw new Error(
                `online ${mode}: ${r.errors} errors, ${r.non2xx} non-2xx responses; first: ${r.firstFailure}`,
              );
            runs.get(mode)!.push(r);
          }
        }
        rows.push(...variantRows(perRequest, connections, runs.get('tidemark')!, runs.get('bare')!));
        const tm = servers.get('tidemark')!;
        const profile = await profileWorker(tm.w, o.profileDir, `online-${perRequest}x${connections}`, () =>
          load({ url: tm.url, connections, amount, body: bodies('tidemark', perRequest, entities, o.seed) }),
        );
        details[`${perRequest}x${connections}`] = {
          amount,
          tidemark: runs.get('tidemark'),
          bare: runs.get('bare'),
          profile,
        };
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((s) => s.w.stop()));
  }
  return { case: 'online', rows, details };
}

function variantRows(
  perRequest: number,
  connections: number,
  tm: LoadResult[],
  bare: LoadResult[],
): ResultRow[] {
  const what = `${perRequest} ent × 20 f, ${connections} conn`;
  const base = {
    name: 'bare node:http + SQL',
    m: measure(
      bare.map((r) => r.rps),
      'req/s',
      'higher',
    ),
  };
  const rps = measure(
    tm.map((r) => r.rps),
    'req/s',
    'higher',
  );
  const out = [
    row(
      'online',
      `${what}: throughput`,
      rps,
      base,
      connections === 32 && perRequest === 1 ? target('≤ 2×', base.m.median / rps.median <= 2) : undefined,
    ),
  ];
  const p99 = measure(
    tm.map((r) => r.p99),
    'ms',
    'lower',
  );
  const needsTarget = connections === 1 && perRequest === 1;
  out.push(
    row(
      'online',
      `${what}: p50 latency`,
      measure(
        tm.map((r) => r.p50),
        'ms',
        'lower',
      ),
      {
        name: 'bare node:http + SQL',
        m: measure(
          bare.map((r) => r.p50),
          'ms',
          'lower',
        ),
      },
    ),
  );
  out.push(
    row(
      'online',
      `${what}: p99 latency`,
      p99,
      {
        name: 'bare node:http + SQL',
        m: measure(
          bare.map((r) => r.p99),
          'ms',
          'lower',
        ),
      },
      needsTarget ? target('< 2 ms', median(tm.map((r) => r.p99)) < 2) : undefined,
    ),
  );
  return out;
}

/**
 * Steady state before any measured leg, for both servers alike: the store file read
 * once into the page cache (else the first leg pays the disk reads and the second gets
 * warm pages), and enough requests over every entity for the JIT to settle (a fresh
 * server answers slowly for its first several thousand requests).
 */
async function warmUp(
  dir: string,
  servers: Map<Mode, { url: string }>,
  entities: number,
  o: BenchOptions,
): Promise<{ storeBytes: number; requests: number }> {
  let storeBytes = 0;
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.db') && !name.endsWith('.sqlite')) continue;
    for await (const chunk of createReadStream(join(dir, name))) storeBytes += (chunk as Buffer).length;
  }
  const requests = scaled(WARM_UP_REQUESTS, o, 300);
  for (const mode of ['tidemark', 'bare'] as Mode[]) {
    await load({
      url: servers.get(mode)!.url,
      connections: 32,
      amount: requests,
      body: bodies(mode, 1, entities, o.seed + 1_000),
    });
  }
  return { storeBytes, requests };
}

/** Request bodies with seeded random entities (a different mix per repetition). */
function bodies(mode: Mode, perRequest: number, entities: number, seed: number): () => string {
  const r = rng(seed);
  return () => {
    const e = Array.from({ length: perRequest }, () => entityName(int(r, entities)));
    return mode === 'tidemark'
      ? JSON.stringify({ query: QUERY, variables: { e } })
      : JSON.stringify({ entities: e });
  };
}

/** Both endpoints give the same answer for the same entities. */
async function agree(
  tidemarkUrl: string,
  bareUrl: string,
  entities: number,
): Promise<{ entities: number; equal: boolean }> {
  const e = Array.from({ length: 100 }, (_, i) => entityName((i * 7919) % entities));
  const post = async (url: string, body: unknown) =>
    (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json();
  const tm = (await post(tidemarkUrl, { query: QUERY, variables: { e } })) as {
    data?: { features: unknown[] };
    errors?: unknown;
  };
  if (!tm.data) throw new Error(`Tidemark features query failed: ${JSON.stringify(tm.errors)}`);
  const bare = await post(bareUrl, { entities: e });
  const equal = JSON.stringify(tm.data.features) === JSON.stringify(bare);
  if (!equal) console.error('bench: warning: Tidemark and the bare endpoint disagree on the online read');
  return { entities: e.length, equal };
}

/**
 * Case: the bulk training set. A spine of N (entity, timestamp) rows over two contracts
 * (twenty numeric features and a label view) POSTed as CSV to the real HTTP endpoint
 * (a server in its own process), the answer asked for as Parquet and written to a file
 * as it streams; peak memory is the server's (VmHWM). Baseline in the same run: DuckDB's
 * ASOF JOIN of the same rows against both tables, the requests appended from JS and
 * the result COPY'd to a Parquet file. Both files are read back for their row count.
 */
import { createReadStream, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { cached } from '../lib/cache';
import { openDuck, lit, type Duck } from '../lib/duck';
import { interleave } from '../lib/repeat';
import { measure, row, target, type CaseResult } from '../lib/result';
import { profileWorker, startWorker, type Worker } from '../lib/child';
import { MB } from '../lib/rss';
import { FEATURE_NAMES, trainingRequests, writeFeatureCsv, type TrainingRequest } from '../data/feature-data';
import { loadDuckFeatures } from '../data/feature-store';
import { bulkSqliteStore, loadDuckLabels } from '../data/bulk-store';
import { label } from './ingest';

const BUDGET_MS = 240_000;
const RSS_TARGET = 500 * MB;

export async function trainingBulkCase(o: BenchOptions): Promise<CaseResult> {
  const entities = scaled(10_000, o, 10);
  const n = scaled(1_000_000, o, 100);
  const requests = trainingRequests(entities, n, o.seed);
  mkdirSync(o.dataDir, { recursive: true });
  const spine = join(o.dataDir, `bulk-spine-${entities}-${n}-s${o.seed}.csv`);
  writeFileSync(
    spine,
    'entity,timestamp\n' +
      requests.map((r) => `${r.entity},${new Date(r.at).toISOString()}`).join('\n') +
      '\n',
  );
  const featuresCsv = await cached(o.dataDir, `features-${entities}-s${o.seed}.csv`, (p) =>
    writeFeatureCsv(p, entities, o.seed),
  );
  const { dir, load } = await bulkSqliteStore(o.dataDir, entities, o.seed);
  const duck = await openDuck();
  const details: Record<string, unknown> = { entities, featureRows: entities * 110, spineRows: n, load };
  const server = await startWorker('bulk-server.ts', ['--dir', dir]);
  try {
    const { port } = await server.next<{ port: number }>('ready');
    const base = `http://127.0.0.1:${port}`;
    details.duckLoad = await loadDuckFeatures(duck, featuresCsv);
    await loadDuckLabels(duck, o.dataDir, entities, o.seed);
    const rssAtStart = await rss(server);
    const tmOut = join(o.outDir, 'training-bulk.parquet');
    const dkOut = join(o.outDir, 'training-bulk-duck.parquet');
    const samples = await interleave(
      [
        { name: 'tidemark', run: () => timed(() => postParquet(base, spine, tmOut)) },
        { name: 'duckdb', run: () => timed(() => duckParquet(duck, requests, dkOut)) },
      ],
      o.reps,
      BUDGET_MS,
    );
    const after = await rss(server);
    const [tmRows, dkRows] = [await parquetRows(tmOut), await parquetRows(dkOut)];
    if (tmRows !== n || dkRows !== n)
      throw new Error(`training-bulk: ${tmRows} and ${dkRows} rows out of ${n}`);
    details.rss = { startMB: rssAtStart.rss / MB, peakMB: after.peak / MB };
    details.profile = await profileWorker(server, o.profileDir, 'training-bulk', () =>
      postParquet(base, spine, tmOut),
    );
    const tm = measure(samples.get('tidemark')!, 'ms', 'lower');
    const dk = measure(samples.get('duckdb')!, 'ms', 'lower');
    const what = `${label(n)}-row spine, 2 contracts, Parquet out over HTTP, SQLite`;
    return {
      case: 'training-bulk',
      rows: [
        row(
          'training-bulk',
          what,
          tm,
          { name: 'DuckDB ASOF JOIN → Parquet', m: dk },
          target('≤ 3×', tm.median / dk.median <= 3),
        ),
        row(
          'training-bulk',
          `${what}: server peak RSS`,
          measure([after.peak / MB], 'MB', 'lower'),
          undefined,
          target('< 500 MB', after.peak < RSS_TARGET),
        ),
      ],
      details,
    };
  } finally {
    await server.stop();
    duck.close();
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function rss(w: Worker): Promise<{ rss: number; peak: number }> {
  w.send({ type: 'rss' });
  return w.next('rss');
}

/**
 * The spine file streamed up, the Parquet answer streamed to a file, by node:http and
 * stream pipes as curl would: fetch's web streams cost the client (this process, on the
 * same two cores as the server) several seconds of CPU per run, which the server's time
 * was charged with.
 */
async function postParquet(base: string, spine: string, out: string): Promise<void> {
  const req = request(`${base}/v1/training-set?features=bench_features:*,bench_labels:*&format=parquet`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
  });
  const answered = once(req, 'response') as Promise<[IncomingMessage]>;
  await pipeline(createReadStream(spine), req);
  const [res] = await answered;
  if (res.statusCode !== 200) {
    let body = '';
    for await (const c of res) body += String(c);
    throw new Error(`training-bulk: HTTP ${res.statusCode}: ${body}`);
  }
  await pipeline(res, createWriteStream(out));
}

/** The same join in DuckDB, both views ASOF, written as Parquet. */
async function duckParquet(duck: Duck, requests: TrainingRequest[], out: string): Promise<void> {
  await duck.conn.run('CREATE OR REPLACE TEMP TABLE req (idx INTEGER, entity VARCHAR, ts BIGINT)');
  const app = await duck.conn.createAppender('req');
  requests.forEach((r, i) => {
    app.appendInteger(i);
    app.appendVarchar(r.entity);
    app.appendBigInt(BigInt(r.at));
    app.endRow();
  });
  app.closeSync();
  await duck.conn.run(
    `COPY (
       SELECT req.entity, make_timestamp(req.ts * 1000) AS "timestamp", ${FEATURE_NAMES.map((f) => `f.${f}`).join(', ')},
              l.label, l.tag, l.ok
       FROM req
       ASOF LEFT JOIN feats f ON req.entity = f.entity AND req.ts >= f.event_time
       ASOF LEFT JOIN labels l ON req.entity = l.entity AND req.ts >= l.event_time
       ORDER BY req.idx
     ) TO ${lit(out)} (FORMAT parquet)`,
  );
}

async function parquetRows(path: string): Promise<number> {
  const meta = await parquetMetadataAsync(await asyncBufferFromFile(path));
  return Number(meta.num_rows);
}

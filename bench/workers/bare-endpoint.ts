/**
 * The online-read baseline: a bare node:http endpoint that answers the same read as
 * Tidemark's `features` query (per entity, the visible row of greatest event time
 * <= now) with ONE SQL statement through the same driver (sqlite3), and returns JSON.
 * No framework, no GraphQL, no per-request allocation beyond the answer.
 */
import http from 'node:http';
import sqlite3 from 'sqlite3';

export interface BareEndpoint {
  server: http.Server;
  close(): Promise<void>;
}

const SQL = (n: number) => `
  WITH req(idx, ek) AS (VALUES ${Array.from({ length: n }, () => '(?, ?)').join(', ')})
  SELECT req.idx, req.ek, f.event_time, f.feature_values
  FROM req
  LEFT JOIN feature_rows f ON f.id = (
    SELECT f2.id FROM feature_rows f2 JOIN runs r2 ON r2.seq = f2.run_seq
    WHERE f2.view_id = (SELECT id FROM feature_views
        WHERE environment = 'dev' AND contract_name = 'bench_features' AND contract_major = 1)
      AND f2.entity_key = req.ek AND f2.event_time <= ?
      AND r2.committed_at IS NOT NULL AND r2.invalidated_at IS NULL
    ORDER BY f2.event_time DESC, r2.committed_at DESC, f2.id DESC
    LIMIT 1)
  ORDER BY req.idx`;

interface Row {
  idx: number;
  ek: string;
  event_time: number | null;
  feature_values: string | null;
}

export async function openBareEndpoint(sqliteFile: string): Promise<BareEndpoint> {
  const db = new sqlite3.Database(sqliteFile);
  await new Promise<void>((resolve, reject) =>
    db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;', (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { entities } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { entities: string[] };
      const params: unknown[] = [];
      entities.forEach((e, i) => params.push(i, JSON.stringify(e)));
      params.push(Date.now());
      db.all<Row>(SQL(entities.length), params, (err, rows) => {
        if (err) {
          res.writeHead(500).end(String(err));
          return;
        }
        const body = rows.map((r) => ({
          entity: JSON.parse(r.ek),
          eventTime: r.event_time === null ? null : new Date(r.event_time).toISOString(),
          values: r.feature_values === null ? null : JSON.parse(r.feature_values),
        }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
  });
  return {
    server,
    close: async () => {
      await new Promise((r) => server.close(r));
      await new Promise((r) => db.close(r));
    },
  };
}

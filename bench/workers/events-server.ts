/**
 * A server for the events case, in its own process. `--mode tidemark`: Tidemark's
 * GraphQL (graphql-ws) on a fresh SQLite store with a tiny CSV contract; each
 * `trigger` lands a new file and runs it, and the worker answers with the time each
 * status change was published on the run event bus. `--mode bare`: a plain `ws`
 * server that broadcasts the same three messages to every client.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocketServer, WebSocket } from 'ws';
import { tell, untilStopped, workerArgs } from '../lib/child';
import { openBenchRuntime } from '../lib/tidemark';
import { liftAbuseLimits } from '../lib/limits';
import { answerProfileRequests } from '../lib/profile';
import { wallMs } from '../lib/stats';
import { createServer } from '../../src/server';

export interface Published {
  id: string;
  status: string;
  at: number;
}

const CONTRACT = `
name: bench_events
version: 1.0.0
owner: bench
entity: { name: k, key: [k] }
eventTime: day
source: { type: csv, path: "bench_events/*.csv" }
schema:
  - { name: day, type: date, required: true }
  - { name: k, type: string, required: true }
  - { name: v, type: number }
expectations:
  - { expect: row_count_between, min: 1, max: 1000, severity: fail }
features:
  - { name: v, column: v }
`;

const a = workerArgs();
answerProfileRequests(tell);
process.on('message', (m: { type?: string; n?: number }) => {
  if (m?.type === 'trigger') void trigger(m.n ?? 0).then((events) => tell('published', events));
});

let trigger: (n: number) => Promise<Published[]>;

if (a.mode === 'tidemark') {
  liftAbuseLimits();
  const bench = await openBenchRuntime({ engine: 'sqlite', pgUrl: '', contracts: [CONTRACT] });
  const { rt } = bench;
  let published: Published[] = [];
  // Subscribed before the server's bridge, so the time is taken before the fan-out starts.
  rt.events.subscribe((run) => published.push({ id: run.id, status: run.status, at: wallMs() }));
  const server = await createServer(rt);
  const port = await server.listen(0, '127.0.0.1');
  const landing = join(rt.config.landingDir, 'bench_events');
  await mkdir(landing, { recursive: true });
  trigger = async (n) => {
    published = [];
    await writeFile(
      join(landing, `batch-${n}.csv`),
      `day,k,v\n${Array.from({ length: 10 }, (_, i) => `2024-01-${String(1 + (n % 28)).padStart(2, '0')},k${i},${n}`).join('\n')}\n`,
    );
    await rt.runs.trigger({ contract: 'bench_events', environment: 'dev', actor: 'bench' });
    return published;
  };
  await tell('ready', { port, path: '/graphql' });
  await untilStopped();
  await server.stop();
  await bench.dispose();
} else {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  trigger = async (n) => {
    const out: Published[] = [];
    for (const status of ['QUEUED', 'RUNNING', 'SUCCEEDED']) {
      const id = `run_${n}`;
      const msg = JSON.stringify({
        id: '1',
        type: 'next',
        payload: { data: { runStatusChanged: { id, status } } },
      });
      out.push({ id, status: status.toLowerCase(), at: wallMs() });
      for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) c.send(msg);
    }
    return out;
  };
  const addr = wss.address();
  await tell('ready', { port: typeof addr === 'object' && addr ? addr.port : 0, path: '/' });
  await untilStopped();
  for (const c of wss.clients) c.terminate();
  await new Promise((r) => wss.close(r));
}
process.exit(0);

/**
 * Case `console`: the console's pages on a big store (10,000 runs, one of them with
 * 1,000,000 rejected rows, at scale 1), served by a real `tidemark serve` on each engine
 * of --engines. For each page: (a) the GraphQL operations the page itself sends (caught
 * from the browser on a first load, then sent again over HTTP; round trip on loopback,
 * p50 and p95) against GET /healthz, and (b) a full page load in headless Debian
 * Chromium until the page's content is shown, against the console's bare shell (the
 * same bundle, up to its navigation being drawn, before any data). Target: each under 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { measure, row, target, type CaseResult, type ResultRow } from '../lib/result';
import { percentile } from '../lib/stats';
import { Pacer } from '../lib/pacer';
import { LIMITS } from '../../src/graphql/limits';
import { createPgDatabase } from '../lib/tidemark';
import { connect, seedConsoleStore, type SeededStore } from '../data/console-store';
import { REPO_ROOT, startInstance, type Instance } from '../../test/faults/support/instance';
import { openBrowser, type Browser } from '../../test/e2e/support/browser';

const CARD = 'cardBench0001';
const GQL_REPS = 20;

interface Op {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

interface PageSpec {
  name: string;
  path: string;
  /** Shown once the page's content is there. */
  ready: string;
  /** Operations to time besides the ones the page load sends (pages reached by a button). */
  extraOps?: Op[];
  /** Timed for comparison only: no page of the console sends it, so the 1 s target is not its. */
  comparison?: boolean;
}

export async function consoleCase(o: BenchOptions): Promise<CaseResult> {
  const size = { runs: scaled(10_000, o, 200), rejects: scaled(1_000_000, o, 1_000) };
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = { size };
  for (const engine of o.engines) {
    const r = await onEngine(engine, size, o);
    rows.push(...r.rows);
    details[engine] = r.details;
  }
  return { case: 'console', rows, details };
}

async function onEngine(
  engine: 'sqlite' | 'postgres',
  size: { runs: number; rejects: number },
  o: BenchOptions,
): Promise<{ rows: ResultRow[]; details: Record<string, unknown> }> {
  const root = mkdtempSync(join(tmpdir(), 'tm-bench-console-'));
  const dataDir = join(root, 'data');
  const database = engine === 'postgres' ? await createPgDatabase(o.pgUrl) : null;
  const start = (name: string) =>
    startInstance({
      name,
      dataDir,
      contractsDir: join(REPO_ROOT, 'contracts'),
      databaseUrl: database?.url ?? '',
      logDir: join(root, 'logs'),
    });
  let server: Instance | undefined;
  let b: Browser | undefined;
  try {
    // A real run (good rows and one rejected row) is the template of every seeded run.
    server = await start(`console-seed-${engine}`);
    await server.waitForLog((l) => l.msg === 'contracts synced', 60_000, 'contract sync');
    const t0 = performance.now();
    const template = await ingestTemplate(server);
    await server.kill();
    const db = connect(engine, dataDir, database?.url ?? null);
    let seeded: SeededStore;
    try {
      seeded = await seedConsoleStore(db.knex, engine, template, size);
    } finally {
      await db.close();
    }
    const seedSec = Math.round((performance.now() - t0) / 100) / 10;
    console.error(
      `bench: console ${engine}: seeded ${size.runs} runs, ${size.rejects} rejects in ${seedSec} s`,
    );
    server = await start(`console-${engine}`);
    await server.waitForLog((l) => l.msg === 'contracts synced', 60_000, 'contract sync');
    b = await openBrowser();
    b.page.on('request', (req) => {
      if (req.method() === 'POST' && req.url().endsWith('/graphql')) pacer.note();
    });
    return await measurePages(engine, server, b, seeded, o, seedSec);
  } finally {
    await b?.close();
    await server?.kill();
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  }
}

async function ingestTemplate(server: Instance): Promise<string> {
  const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const rec = (h: number, amount: number) => ({
    ts: at(h),
    card_id: CARD,
    amount,
    currency: 'EUR',
    merchant_category: 'groceries',
    card_present: true,
  });
  const data = (await gql(
    server,
    {
      query:
        'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { id status rowsRejected } }',
      variables: { r: [rec(3, 10), rec(2, 12), rec(1, 14), rec(1, -5)] },
    },
    true,
  )) as { ingest: { id: string; status: string; rowsRejected: number } };
  if (data.ingest.status !== 'SUCCEEDED' || data.ingest.rowsRejected !== 1)
    throw new Error(`console bench: template run ${JSON.stringify(data.ingest)}`);
  return data.ingest.id;
}

/**
 * The server's per-caller rate limit stays on (a real `tidemark serve`): every GraphQL
 * request of this process and of its browser is counted here, and each measurement
 * waits for a token before it starts. At small scales the requests are quick enough to
 * outrun the limit otherwise. 90 % of the server's rate, for the clocks' differences.
 */
const pacer = new Pacer(LIMITS.ratePerSec * 0.9, LIMITS.rateBurst * 0.9);
/** At most this many GraphQL requests per page load (the Feature explorer sends 7). */
const PAGE_REQUESTS = 20;

async function gql(server: Instance, op: Op, check = false): Promise<unknown> {
  pacer.note();
  const res = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(op),
  });
  const text = await res.text();
  if (check || !res.ok) {
    const body = JSON.parse(text) as { data?: unknown; errors?: Array<{ message: string }> };
    if (!res.ok || body.errors?.length)
      throw new Error(`console bench: ${op.query.slice(0, 60)}…: ${res.status} ${text.slice(0, 300)}`);
    return body.data;
  }
  return null;
}

function pages(s: SeededStore): PageSpec[] {
  const cursor = Buffer.from(JSON.stringify([s.oldRun.queuedAt, s.oldRun.id])).toString('base64url');
  const runsOp = (extra: Record<string, unknown>): Op => ({
    query: `query Runs($first: Int!, $after: String) { runs(first: $first, after: $after) {
      totalCount pageInfo { endCursor hasNextPage } nodes { id status queuedAt rowsRejected } } }`,
    variables: { first: 50, ...extra },
  });
  return [
    { name: 'Overview', path: '/', ready: '#attention-heading' },
    { name: 'Runs', path: '/runs', ready: '#runs-count' },
    { name: 'Runs, status failed', path: '/runs?status=FAILED', ready: '#runs-count' },
    { name: 'Runs, with rejects', path: '/runs?rejects=1', ready: '#runs-count' },
    {
      name: 'Runs, a late page (GraphQL only)',
      path: '',
      ready: '',
      extraOps: [runsOp({ after: cursor })],
    },
    {
      name: `Run detail, ${s.rejectsRun.slice(0, 12)}… (rejects page 1)`,
      path: `/runs/${s.rejectsRun}`,
      ready: '#rejects-range',
    },
    {
      // The console's Last button: a keyset page from the end, then the page before it.
      name: 'Run detail, the last rejects pages (GraphQL only)',
      path: '',
      ready: '',
      extraOps: [
        {
          query: `query Rejects($id: ID!, $last: Int, $before: String) { run(id: $id) { id rejects(last: $last, before: $before) {
            totalCount nodes { rowNumber file rawBatchId raw reasons { rule column message value } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
          variables: { id: s.rejectsRun, last: 25, before: null },
        },
      ],
    },
    {
      name: 'Run detail, a deep rejects page by offset (GraphQL only; old clients)',
      path: '',
      ready: '',
      comparison: true,
      extraOps: [
        {
          query: `query Rejects($id: ID!, $first: Int!, $offset: Int!) { run(id: $id) { id rejects(first: $first, offset: $offset) {
            totalCount nodes { rowNumber file rawBatchId raw reasons { rule column message value } } } } }`,
          variables: { id: s.rejectsRun, first: 50, offset: 900_000 },
        },
      ],
    },
    { name: 'Contract', path: `/contracts/${s.contract}`, ready: '#schema-heading' },
    { name: 'Lineage of a contract', path: `/lineage?contract=${s.contract}`, ready: '#lineage-summary' },
    {
      name: 'Feature explorer',
      path: `/features?contract=${s.contract}&entities=${CARD}`,
      ready: '#values-heading',
    },
  ];
}

/** Navigates and waits until `ready` is shown and nothing says "Loading…" any more. */
async function load(b: Browser, url: string, ready: string, settled = true): Promise<number> {
  await pacer.ready(PAGE_REQUESTS);
  const t0 = performance.now();
  await b.page.goto(url, { waitUntil: 'commit' });
  await b.page.locator(ready).first().waitFor({ state: 'visible', timeout: 60_000 });
  if (settled)
    await b.page.waitForFunction(
      // A string, run in the page: the bench is compiled without the DOM's types.
      `![...document.querySelectorAll('[role="status"]')].some((e) => /Loading/.test(e.textContent ?? ''))`,
      undefined,
      { timeout: 60_000, polling: 'raf' },
    );
  return performance.now() - t0;
}

function opName(op: Op): string {
  return op.operationName ?? /^\s*(?:query|mutation)\s+(\w+)/.exec(op.query)?.[1] ?? 'anonymous';
}

async function timeOp(server: Instance, op: Op, reps: number): Promise<number[]> {
  await pacer.ready();
  await gql(server, op, true); // warm, and fail loudly on an error
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    await pacer.ready();
    const t0 = performance.now();
    await gql(server, op);
    out.push(performance.now() - t0);
  }
  return out;
}

async function measurePages(
  engine: string,
  server: Instance,
  b: Browser,
  s: SeededStore,
  o: BenchOptions,
  seedSec: number,
): Promise<{ rows: ResultRow[]; details: Record<string, unknown> }> {
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = { seedSec };
  const gqlReps = Math.max(GQL_REPS, o.reps);
  // Baselines, measured now, on the same server and browser.
  const healthz: number[] = [];
  for (let i = 0; i < gqlReps + 1; i++) {
    const t0 = performance.now();
    await (await fetch(`${server.baseUrl}/healthz`)).text();
    if (i > 0) healthz.push(performance.now() - t0);
  }
  const trivial: number[] = [];
  for (let i = 0; i < o.reps + 1; i++) {
    // The console's shell (navigation drawn), not waiting for any data.
    const ms = await load(b, `${server.baseUrl}/`, 'nav[aria-label="Console"]', false);
    if (i > 0) trivial.push(ms);
  }
  const hz = { name: 'GET /healthz', m: measure(healthz, 'ms', 'lower') };
  const tp = { name: 'console shell shown', m: measure(trivial, 'ms', 'lower') };

  for (const p of pages(s)) {
    const ops: Op[] = [...(p.extraOps ?? [])];
    const loads: number[] = [];
    if (p.path) {
      // The first load (not measured) shows which operations the page sends.
      const seen = (req: import('playwright-core').Request) => {
        if (req.method() === 'POST' && req.url().endsWith('/graphql')) {
          const body = req.postDataJSON() as Op;
          if (
            !ops.some(
              (x) => x.query === body.query && JSON.stringify(x.variables) === JSON.stringify(body.variables),
            )
          )
            ops.push(body);
        }
      };
      b.page.on('request', seen);
      await load(b, server.baseUrl + p.path, p.ready);
      b.page.off('request', seen);
      for (let i = 0; i < o.reps; i++) loads.push(await load(b, server.baseUrl + p.path, p.ready));
    }
    const perOp: Array<{ op: string; p50: number; p95: number }> = [];
    let slowest: number[] = [];
    for (const op of ops) {
      const xs = await timeOp(server, op, gqlReps);
      perOp.push({
        op: opName(op),
        p50: percentile(xs, 50),
        p95: percentile(xs, 95),
      });
      if (percentile(xs, 95) > percentile(slowest, 95) || slowest.length === 0) slowest = xs;
    }
    details[p.name] = { ops: perOp, loads };
    const label = `${engine} ${p.name}`;
    if (slowest.length) {
      const slowOp = perOp.find((x) => x.p95 === percentile(slowest, 95))!.op;
      const p95 = percentile(slowest, 95);
      rows.push(
        row(
          'console',
          `${label}: GraphQL p50 (slowest of ${ops.length}: ${slowOp})`,
          measure(slowest, 'ms', 'lower'),
          hz,
        ),
        row(
          'console',
          `${label}: GraphQL p95`,
          measure([p95], 'ms', 'lower'),
          hz,
          ...(p.comparison ? [] : [target('< 1 s', p95 < 1000)]),
        ),
      );
    }
    if (loads.length)
      rows.push(
        row(
          'console',
          `${label}: page load`,
          measure(loads, 'ms', 'lower'),
          tp,
          target('< 1 s', percentile(loads, 50) < 1000),
        ),
      );
  }
  return { rows, details };
}

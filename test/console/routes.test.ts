/**
 * The console is served at / and at each of its routes (history-API fallback), its
 * hashed assets under /console-assets/, and nothing else: /graphql, /healthz, /readyz,
 * /metrics and /explorer/* keep their own handlers and an unknown path is still a 404.
 * A checkout whose console is not built answers / with how to build it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { createServer, type TidemarkServer } from '../../src/server';

const INDEX = '<!doctype html><title>Tidemark Console</title><div id="root"></div>';

describe(`console routes (${testEngine()})`, () => {
  let rt: TestRuntime;
  let dist: string;
  let built: TidemarkServer;
  let unbuilt: TidemarkServer;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'tm-console-'));
    mkdirSync(join(dist, 'console-assets'));
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'console-assets', 'index-abc123.js'), 'console.log(1)');
    rt = await createTestRuntime();
    built = await createServer(rt, { consoleDist: dist });
    unbuilt = await createServer(rt, { consoleDist: join(dist, 'missing') });
  });
  afterAll(async () => {
    await built.stop();
    await unbuilt.stop();
    await rt.dispose();
    rmSync(dist, { recursive: true, force: true });
  });

  it('answers index.html at / and at every console route', async () => {
    for (const path of ['/', '/runs', '/runs/run_abc', '/contracts/country_daily', '/lineage', '/features']) {
      const res = await request(built.app).get(path).set('Accept', 'text/html');
      expect(res.status, path).toBe(200);
      expect(res.text, path).toBe(INDEX);
      expect(res.headers['cache-control'], path).toBe('no-cache');
    }
  });

  it('serves hashed assets for a year and a missing one as a plain 404', async () => {
    const res = await request(built.app).get('/console-assets/index-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await request(built.app).get('/console-assets/index-old.js')).status).toBe(404);
  });

  it('leaves the API, health, metrics and explorer routes to their own handlers', async () => {
    const explorer = await request(built.app).get('/graphql').set('Accept', 'text/html');
    expect(explorer.status).toBe(200);
    expect(explorer.text).toContain('GraphQL explorer');
    const gql = await request(built.httpServer)
      .post('/graphql')
      .set('Accept', 'application/json')
      .send({ query: '{ __typename }' });
    expect(gql.body).toEqual({ data: { __typename: 'Query' } });
    expect((await request(built.app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(built.app).get('/readyz')).body.status).toBe('ready');
    expect((await request(built.app).get('/metrics')).text).toContain('# HELP');
    expect((await request(built.app).get('/explorer/graphiql.css')).status).toBe(200);
  });

  it('answers 404 for any other path, not the console page', async () => {
    for (const path of ['/nope', '/runs/a/b', '/lineage/x', '/features/x', '/favicon.ico']) {
      const res = await request(built.app).get(path).set('Accept', 'text/html');
      expect(res.status, path).toBe(404);
    }
  });

  it('says how to build the console where it is not built', async () => {
    const res = await request(unbuilt.app).get('/runs').set('Accept', 'text/html');
    expect(res.status).toBe(503);
    expect(res.text).toContain('npm run build:console');
    expect(res.text).toContain('href="/graphql"');
  });
});

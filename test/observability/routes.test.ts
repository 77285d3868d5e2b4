/**
 * /readyz: ready only when the database answers and every migration is applied;
 * otherwise 503 with the reasons. /metrics still answers when the freshness refresh
 * fails.
 */
import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createLogger, silentLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { observabilityRoutes } from '../../src/observability/routes';
import { migrationStatus } from '../../src/store/migrate';
import { migrations } from '../../migrations';
import { openDb } from '../../src/store/connection';
import { createTestDb, createTestDbOptions, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';

function appFor(db: Knex, extra: Partial<Parameters<typeof observabilityRoutes>[0]> = {}): express.Express {
  const app = express();
  app.use(
    observabilityRoutes({
      metrics: createMetrics(),
      store: { migrationStatus: () => migrationStatus(db) },
      logger: silentLogger(),
      ...extra,
    }),
  );
  return app;
}

describe(`/readyz (${testEngine()})`, () => {
  let db: TestDb | null = null;
  afterEach(async () => {
    await db?.dispose();
    db = null;
  });

  it('is ready when the database answers and every migration is applied', async () => {
    db = await createTestDb();
    const res = await request(appFor(db.knex)).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ready',
      ready: true,
      reasons: [],
      migrations: { applied: migrations.length, pending: [] },
    });
  });

  it('answers 503 naming the start-up step still running, and ready once start-up is over', async () => {
    db = await createTestDb();
    let step: string | null = 'contract sync';
    const app = appFor(db.knex, { starting: () => step });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: 'unavailable',
      ready: false,
      reasons: ['starting: contract sync'],
    });
    step = null;
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  it('answers 503 naming the pending migrations', async () => {
    db = await createTestDb({ migrate: false });
    const res = await request(appFor(db.knex)).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.reasons).toEqual([`migrations pending: ${migrations.map((m) => m.name).join(', ')}`]);
    expect(res.body.migrations).toEqual({ applied: 0, pending: migrations.map((m) => m.name) });
  });

  it('answers 503 when the database is unreachable, and logs why', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('warn', { write: (s: string) => void lines.push(JSON.parse(s)) });
    const target = await createTestDbOptions();
    const closed = openDb(target.options);
    await closed.close();
    try {
      const res = await request(appFor(closed.knex, { logger })).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.reasons).toHaveLength(1);
      expect(res.body.reasons[0]).toMatch(/^database unreachable: /);
      expect(lines.find((l) => l.msg === 'not ready')).toMatchObject({ reasons: res.body.reasons });
    } finally {
      await target.dispose();
    }
  });
});

describe('/metrics', () => {
  it('still serves every other metric when the freshness refresh fails', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger('warn', { write: (s: string) => void lines.push(JSON.parse(s)) });
    const metrics = createMetrics();
    metrics.runs.inc({ contract: 'c', environment: 'dev', status: 'succeeded', trigger: 'manual' });
    const app = express();
    const freshness = { refresh: () => Promise.reject(new Error('database gone')) };
    app.use(
      observabilityRoutes({
        metrics,
        store: { migrationStatus: () => Promise.reject(new Error('unused')) },
        logger,
        freshness,
      }),
    );
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      'tidemark_runs_total{contract="c",environment="dev",status="succeeded",trigger="manual"} 1',
    );
    expect(lines.find((l) => l.msg === 'freshness gauges not refreshed for this scrape')).toBeDefined();
  });
});

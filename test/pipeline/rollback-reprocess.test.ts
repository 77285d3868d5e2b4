/**
 * Rollback hides a run's rows and makes the values before it visible again, deleting
 * nothing. Reprocess re-runs a run's kept raw batches (never the source again): under
 * the same contract version it reproduces the same output digest and supersedes its
 * parent in the commit; under a new minor version it yields the new features.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../src/errors';
import type { Run } from '../../src/domain/run';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';

const V1 = `
name: cases
version: 1.0.0
owner: tests
entity: { name: country, key: [country] }
eventTime: date
source: { type: csv, path: "cases/*.csv" }
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: total, type: integer }
expectations: []
features:
  - { name: total, column: total }
  - { name: new_cases, window: { op: diff, column: total } }
`;

/** 1.1.0 adds a feature: a minor change. */
const V1_1 = V1.replace('version: 1.0.0', 'version: 1.1.0').replace(
  '  - { name: new_cases, window: { op: diff, column: total } }',
  "  - { name: new_cases, window: { op: diff, column: total } }\n  - { name: doubled, expr: 'total * 2' }",
);

const A = 'date,country,total\n2024-01-01,DEU,10\n2024-01-02,DEU,15\n2024-01-01,FRA,20\n';
/** B corrects DEU on 2024-01-02 and adds a later FRA day. */
const B = 'date,country,total\n2024-01-02,DEU,17\n2024-01-02,FRA,26\n';

const HOUR = 3_600_000;

describe(`rollback and reprocess (${testEngine()})`, () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [V1] });
  });
  afterEach(() => rt.dispose());

  async function runFile(name: string, content: string): Promise<Run> {
    await rt.land(`cases/${name}`, content);
    rt.clock.advance(HOUR);
    const run = await rt.runs.trigger({ contract: 'cases', environment: 'dev', actor: 'test' });
    expect(run.status).toBe('succeeded');
    return run;
  }

  /** Values and the run that wrote them, per country, as served now. */
  async function served(opts: { features?: string[]; version?: string } = {}) {
    const vectors = await rt.features.features({
      contract: 'cases',
      entities: ['DEU', 'FRA'],
      environment: 'dev',
      ...opts,
    });
    return Object.fromEntries(vectors.map((v) => [String(v.entity), { values: v.values, runId: v.runId }]));
  }

  describe('rollback', () => {
    it('hides the run and makes earlier values visible again, deleting nothing', async () => {
      const a = await runFile('a.csv', A);
      const b = await runFile('b.csv', B);
      expect(await served()).toEqual({
        DEU: { values: { total: 17, new_cases: 7 }, runId: b.id },
        FRA: { values: { total: 26, new_cases: 6 }, runId: b.id },
      });
      const rows = await countRows(rt, T.featureRows);

      rt.clock.advance(HOUR);
      const rolled = await rt.runs.rollback(b.id, 'test');

      expect(rolled).toMatchObject({ id: b.id, status: 'rolled_back', invalidatedAt: rt.clock.now() });
      expect(await rt.store.runs.get(b.id)).toMatchObject({
        status: 'rolled_back',
        invalidatedAt: rt.clock.now(),
        committedAt: b.committedAt,
      });
      expect(await served()).toEqual({
        DEU: { values: { total: 15, new_cases: 5 }, runId: a.id },
        FRA: { values: { total: 20, new_cases: null }, runId: a.id },
      });
      expect(await countRows(rt, T.featureRows)).toBe(rows);
      expect(await rt.store.features.countForRun(b.id)).toBe(2);
      const audit = await rt.store.audit.list({ targetKind: 'run', targetId: b.id });
      expect(audit.map((e) => [e.action, e.actor])).toEqual([['run.rollback', 'test']]);
    });

    it('refuses to roll back twice or an unknown run', async () => {
      await runFile('a.csv', A);
      const b = await runFile('b.csv', B);
      await rt.runs.rollback(b.id, 'test');

      await expect(rt.runs.rollback(b.id, 'test')).rejects.toThrow(ConflictError);
      await expect(rt.runs.rollback('run_nope', 'test')).rejects.toThrow(NotFoundError);
      expect((await rt.store.runs.get(b.id))!.invalidatedAt).toBe(rt.clock.now());
    });

    it('publishes the rollback once', async () => {
      const a = await runFile('a.csv', A);
      const seen: string[] = [];
      rt.events.subscribe((r) => seen.push(`${r.id}:${r.status}`));
      await rt.runs.rollback(a.id, 'test');
      expect(seen).toEqual([`${a.id}:rolled_back`]);
    });
  });

  describe('reprocess', () => {
    it('under the same version: same digest, the parent superseded at the commit, values now from the child', async () => {
      const parent = await runFile('a.csv', A);
      const before = await served();
      // Reprocessing reads the kept raw batch: the landing file may change or vanish.
      writeFileSync(join(rt.config.landingDir, 'cases/a.csv'), 'date,country,total\n2024-01-01,DEU,999\n');
      rmSync(join(rt.config.landingDir, 'cases/a.csv'));
      const rows = await countRows(rt, T.featureRows);

      rt.clock.advance(HOUR);
      const child = await rt.runs.reprocess(parent.id, { actor: 'test' });

      expect(child).toMatchObject({
        status: 'succeeded',
        trigger: 'reprocess',
        parentRunId: parent.id,
        contractVersion: '1.0.0',
        outputDigest: parent.outputDigest,
        counts: parent.counts,
        committedAt: rt.clock.now(),
      });
      expect(child.id).not.toBe(parent.id);
      expect(await rt.store.runs.get(parent.id)).toMatchObject({
        status: 'superseded',
        invalidatedAt: child.committedAt,
        committedAt: parent.committedAt,
      });
      const after = await served();
      expect(Object.values(after).map((v) => v.values)).toEqual(Object.values(before).map((v) => v.values));
      expect(Object.values(after).map((v) => v.runId)).toEqual([child.id, child.id]);
      expect(await countRows(rt, T.featureRows)).toBe(rows * 2);
      expect((await rt.store.rawBatches.forRun(child.id)).map((b) => b.id)).toEqual(
        (await rt.store.rawBatches.forRun(parent.id)).map((b) => b.id),
      );
    });

    it('a reprocess of a reprocess still reproduces the digest', async () => {
      const parent = await runFile('a.csv', A);
      const child = await rt.runs.reprocess(parent.id, { actor: 'test' });
      rt.clock.advance(HOUR);
      const grandchild = await rt.runs.reprocess(child.id, { actor: 'test' });
      expect(grandchild.outputDigest).toBe(parent.outputDigest);
      expect((await rt.store.runs.get(child.id))!.status).toBe('superseded');
    });

    it('publishes the child and the superseded parent', async () => {
      const parent = await runFile('a.csv', A);
      const seen: string[] = [];
      rt.events.subscribe((r) => seen.push(`${r.id === parent.id ? 'parent' : 'child'}:${r.status}`));
      await rt.runs.reprocess(parent.id, { actor: 'test' });
      expect(seen).toEqual(['child:queued', 'child:running', 'child:succeeded', 'parent:superseded']);
    });

    it('under a new minor version: the new feature is computed from the kept raw batch', async () => {
      const parent = await runFile('a.csv', A);
      await rt.apply(V1_1);
      expect((await served()).DEU!.values).toEqual({ total: 15, new_cases: 5, doubled: null });

      rt.clock.advance(HOUR);
      const child = await rt.runs.reprocess(parent.id, { contractVersion: '1.1.0', actor: 'test' });

      expect(child).toMatchObject({ status: 'succeeded', contractVersion: '1.1.0', parentRunId: parent.id });
      expect(child.outputDigest).not.toBe(parent.outputDigest);
      expect((await rt.store.runs.get(parent.id))!.status).toBe('superseded');
      const now = await served();
      expect(now.DEU).toEqual({ values: { total: 15, new_cases: 5, doubled: 30 }, runId: child.id });
      expect(now.FRA).toEqual({ values: { total: 20, new_cases: null, doubled: 40 }, runId: child.id });
      const vectors = await rt.features.features({
        contract: 'cases',
        entities: ['DEU'],
        environment: 'dev',
      });
      expect(vectors[0]!.contractVersion).toBe('1.1.0');
    });

    it('under a new major: a new feature view beside the old one; the parent stays visible in its major', async () => {
      const parent = await runFile('a.csv', A);
      const v2 = V1.replace('version: 1.0.0', 'version: 2.0.0').replace(
        '  - { name: new_cases, window: { op: diff, column: total } }\n',
        '',
      );
      await rt.apply(v2);

      const child = await rt.runs.reprocess(parent.id, { contractVersion: '2.0.0', actor: 'test' });

      expect(child).toMatchObject({
        status: 'succeeded',
        contractVersion: '2.0.0',
        contractMajor: 2,
        parentRunId: parent.id,
      });
      expect((await rt.store.runs.get(parent.id))!.status).toBe('succeeded');
      expect((await served({ version: '1' })).DEU).toEqual({
        values: { total: 15, new_cases: 5 },
        runId: parent.id,
      });
      expect((await served({ version: '2' })).DEU).toEqual({ values: { total: 15 }, runId: child.id });
    });

    // A reprocess takes its parent's place in the tie-break order (runs.precedence),
    // so replaying older data never hides a later correction at the same event time.
    it('does not bring back values a later run corrected', async () => {
      const a = await runFile('a.csv', A);
      const b = await runFile('b.csv', B);
      rt.clock.advance(HOUR);

      await rt.runs.reprocess(a.id, { actor: 'test' });

      expect((await served()).DEU).toEqual({ values: { total: 17, new_cases: 7 }, runId: b.id });
    });

    it('refuses an unknown version', async () => {
      const parent = await runFile('a.csv', A);
      await expect(rt.runs.reprocess(parent.id, { contractVersion: '9.9.9', actor: 'test' })).rejects.toThrow(
        NotFoundError,
      );
    });
  });

  /** Follows the advice of a refusal: the run it says to reprocess. */
  function advised(err: unknown): string {
    const m = /reprocess (run_\w+)/.exec(String((err as Error).message));
    expect(m, String(err)).not.toBeNull();
    return m![1]!;
  }

  async function refusal(p: Promise<unknown>): Promise<unknown> {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConflictError);
    return err;
  }

  describe('the repair cycle: roll back, fix the contract, reprocess', () => {
    it('reprocesses a rolled-back run under its own version: the same digest, its values back', async () => {
      const a = await runFile('a.csv', A);
      const before = await served();
      await rt.runs.rollback(a.id, 'test');
      expect(Object.values(await served()).map((v) => v.values)).toEqual([null, null]);
      rt.clock.advance(HOUR);

      const again = await rt.runs.reprocess(a.id, { actor: 'test' });

      expect(again).toMatchObject({ status: 'succeeded', parentRunId: a.id, outputDigest: a.outputDigest });
      expect((await rt.store.runs.get(a.id))!.status).toBe('rolled_back');
      expect(Object.values(await served()).map((v) => v.values)).toEqual(
        Object.values(before).map((v) => v.values),
      );
    });

    it('reprocesses a rolled-back run under a fixed version', async () => {
      const a = await runFile('a.csv', A);
      await rt.runs.rollback(a.id, 'test');
      await rt.apply(V1_1);
      const fixed = await rt.runs.reprocess(a.id, { contractVersion: '1.1.0', actor: 'test' });
      expect(fixed).toMatchObject({ status: 'succeeded', contractVersion: '1.1.0' });
      expect((await served()).DEU).toEqual({
        values: { total: 15, new_cases: 5, doubled: 30 },
        runId: fixed.id,
      });
    });

    it('every refusal to roll back names a reprocess that works', async () => {
      const parent = await runFile('a.csv', A);
      const child = await rt.runs.reprocess(parent.id, { actor: 'test' });
      // Rolling back the replacement would leave neither visible: the advice replaces it instead.
      const e1 = await refusal(rt.runs.rollback(child.id, 'test'));
      expect(advised(e1)).toBe(child.id);
      await rt.apply(V1_1);
      const fixed = await rt.runs.reprocess(advised(e1), { contractVersion: '1.1.0', actor: 'test' });
      expect(fixed.status).toBe('succeeded');
      expect((await served()).DEU!.runId).toBe(fixed.id);

      // The superseded parent: the advice names the run serving its batches now.
      const e2 = await refusal(rt.runs.rollback(parent.id, 'test'));
      expect(advised(e2)).toBe(fixed.id);
      const next = await rt.runs.reprocess(advised(e2), { actor: 'test' });
      expect(next.status).toBe('succeeded');
      expect((await served()).DEU!.runId).toBe(next.id);

      // A rolled-back run: reprocess it.
      const b = await runFile('b.csv', B);
      await rt.runs.rollback(b.id, 'test');
      const e3 = await refusal(rt.runs.rollback(b.id, 'test'));
      expect((await rt.runs.reprocess(advised(e3), { actor: 'test' })).status).toBe('succeeded');
    });

    it('a superseded run can be reprocessed: the new run replaces the one serving its batches', async () => {
      const parent = await runFile('a.csv', A);
      const child = await rt.runs.reprocess(parent.id, { actor: 'test' });
      rt.clock.advance(HOUR);

      const again = await rt.runs.reprocess(parent.id, { actor: 'test' });

      expect(again).toMatchObject({
        status: 'succeeded',
        outputDigest: parent.outputDigest,
        parentRunId: child.id,
      });
      expect((await rt.store.runs.get(child.id))!.status).toBe('superseded');
      expect(Object.values(await served()).map((v) => v.runId)).toEqual([again.id, again.id]);
      // It replaced a run in turn: rolling it back is refused, with advice that works.
      const e = await refusal(rt.runs.rollback(again.id, 'test'));
      expect((await rt.runs.reprocess(advised(e), { actor: 'test' })).status).toBe('succeeded');
    });

    it('a failed run: rollback refused with a reprocess that works', async () => {
      const strict = V1.replace('name: cases', 'name: strict')
        .replace('cases/*.csv', 'strict/*.csv')
        .replace(
          'expectations: []',
          'expectations:\n  - { expect: row_count_between, min: 3, max: 3, severity: fail }',
        );
      await rt.apply(strict);
      await rt.land('strict/b.csv', B);
      const failed = await rt.runs.trigger({ contract: 'strict', environment: 'dev', actor: 'test' });
      expect(failed.status).toBe('failed');
      const e = await refusal(rt.runs.rollback(failed.id, 'test'));
      expect(advised(e)).toBe(failed.id);
      await rt.apply(
        V1.replace('name: cases', 'name: strict')
          .replace('cases/*.csv', 'strict/*.csv')
          .replace('1.0.0', '1.1.0'),
      );
      const ok = await rt.runs.reprocess(failed.id, { contractVersion: '1.1.0', actor: 'test' });
      expect(ok.status).toBe('succeeded');
    });
  });
});

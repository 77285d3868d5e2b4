import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, makeRun, registerContract, T0 } from '../support/fixtures';
import { Store } from '../../src/store/store';
import type { Run } from '../../src/domain/run';
import type { RunFilter } from '../../src/store/run.repository';
import { T } from '../../src/store/tables';
import type { ValidationReport } from '../../src/domain/validation-report';

const REPORT: ValidationReport = {
  success: false,
  statistics: {
    evaluatedExpectations: 2,
    successfulExpectations: 1,
    unsuccessfulExpectations: 1,
    successPercent: 50,
  },
  results: [
    {
      expect: 'not_null',
      column: 'deaths',
      severity: 'reject',
      success: true,
      elementCount: 10,
      unexpectedCount: 0,
      unexpectedPercent: 0,
      mostly: 0.99,
      sample: [],
    },
    {
      expect: 'mean_between',
      column: 'confirmed',
      severity: 'fail',
      success: false,
      elementCount: 10,
      unexpectedCount: 0,
      unexpectedPercent: 0,
      observedValue: 12.5,
      sample: [{ rowNumber: 3, value: 'ünïcødé "quoted"' }],
      details: { nested: { list: [1, null, true] } },
    },
  ],
};

/** Times past 2^31 ms and 2^32 ms: they only survive as BIGINT read back as numbers. */
const LATE = Date.UTC(2031, 2, 4, 5, 6, 7, 8);

describe(`RunRepository (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  beforeEach(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    await registerContract(store, 'country_daily', '2.0.0');
    await registerContract(store, 'air_quality', '1.0.0');
  });
  afterEach(() => db.dispose());

  describe('claimAt', () => {
    it('reads the start time only once the lane is free, and stores the lease from it', async () => {
      const first = await insertRun(store);
      const second = await insertRun(store);
      const reads: number[] = [];
      const clock = () => {
        reads.push(T0 + 5_000);
        return T0 + 5_000;
      };
      expect(await store.runs.claimAt(first, 'host:1', clock, 60_000)).toBe(T0 + 5_000);
      expect(reads).toHaveLength(1);
      // The lane is busy: refused before the clock is read, so a start time is never taken
      // while another run of the lane may still be finishing.
      expect(await store.runs.claimAt(second, 'host:2', clock, 60_000)).toBeNull();
      expect(reads).toHaveLength(1);
      const got = (await store.runs.get(first.id))!;
      expect(got.status).toBe('running');
      expect(got.startedAt).toBe(T0 + 5_000);
      const lease = (await db.knex(T.runs).where({ id: first.id }).first('lease_until')) as {
        lease_until: number | string;
      };
      expect(Number(lease.lease_until)).toBe(T0 + 65_000);
      expect((await store.runs.get(second.id))!.status).toBe('queued');
    });
  });

  describe('insert and get', () => {
    it('round-trips every field of a finished run', async () => {
      const parent = await insertRun(store);
      const run = makeRun({
        contractVersion: '2.0.0',
        contractHash: 'a'.repeat(64),
        environment: 'prod',
        trigger: 'reprocess',
        status: 'succeeded',
        parentRunId: parent.id,
        attempt: 3,
        counts: { read: 100, valid: 90, rejected: 7, filtered: 3, written: 88 },
        outputDigest: 'd'.repeat(64),
        validation: REPORT,
        error: 'warning: something',
        codeVersion: 'git:abc123',
        createdBy: 'alice@example.com',
        queuedAt: LATE,
        startedAt: LATE + 1,
        finishedAt: LATE + 2,
        committedAt: LATE + 3,
        invalidatedAt: LATE + 4,
        notBefore: LATE + 5,
        errorKind: 'transient',
        precedence: LATE + 3,
        stages: [
          { name: 'read', ms: 12.5, rows: 100 },
          { name: 'history', ms: 0.3, rows: null },
        ],
      });
      await store.runs.insert(run);

      const got = await store.runs.get(run.id);
      expect(got).toEqual(run);
      expect(got!.contractMajor).toBe(2);
      for (const t of [
        got!.queuedAt,
        got!.startedAt,
        got!.finishedAt,
        got!.committedAt,
        got!.invalidatedAt,
        got!.notBefore,
      ]) {
        expect(typeof t).toBe('number');
      }
    });

    it('round-trips nulls as nulls', async () => {
      const run = makeRun();
      await store.runs.insert(run);
      const got = await store.runs.get(run.id);
      expect(got).toEqual(run);
      expect(got!.validation).toBeNull();
      expect(got!.startedAt).toBeNull();
      expect(got!.parentRunId).toBeNull();
    });

    it('returns null for an unknown id, and getMany returns the known ones', async () => {
      const a = await insertRun(store);
      const b = await insertRun(store);
      expect(await store.runs.get('run_missing')).toBeNull();
      expect(await store.runs.getMany([])).toEqual([]);
      const many = await store.runs.getMany([b.id, 'run_missing', a.id]);
      expect(many.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
      expect(many.find((r) => r.id === a.id)).toEqual(a);
    });
  });

  describe('update', () => {
    it('writes the patched fields and leaves the others alone', async () => {
      const run = await insertRun(store, { status: 'running', startedAt: T0 + 1 });
      const patch: Partial<Run> = {
        status: 'succeeded',
        counts: { read: 5, valid: 4, rejected: 1, filtered: 0, written: 4 },
        validation: REPORT,
        outputDigest: 'f'.repeat(64),
        finishedAt: LATE,
        committedAt: LATE + 1,
      };
      expect(await store.runs.update(run.id, patch)).toBe(true);
      expect(await store.runs.get(run.id)).toEqual({ ...run, ...patch });

      // Clearing back to null works too.
      expect(await store.runs.update(run.id, { validation: null, error: null, committedAt: null })).toBe(
        true,
      );
      expect(await store.runs.get(run.id)).toMatchObject({
        validation: null,
        error: null,
        committedAt: null,
      });
    });

    it('refuses when the run is not in an expected status', async () => {
      const run = await insertRun(store, { status: 'running' });
      expect(await store.runs.update(run.id, { status: 'failed', error: 'late' }, ['queued'])).toBe(false);
      expect(await store.runs.get(run.id)).toEqual(run);

      expect(await store.runs.update(run.id, { status: 'succeeded' }, ['queued', 'running'])).toBe(true);
      expect((await store.runs.get(run.id))!.status).toBe('succeeded');

      // The guard now sees the new status: a second transition out of running fails.
      expect(await store.runs.update(run.id, { status: 'failed' }, ['running'])).toBe(false);
      expect((await store.runs.get(run.id))!.status).toBe('succeeded');
    });

    it('returns false for an unknown run', async () => {
      expect(await store.runs.update('run_missing', { status: 'failed' })).toBe(false);
    });
  });

  describe('list', () => {
    let runs: Run[];
    beforeEach(async () => {
      const specs: Array<Partial<Run>> = [
        {
          contractName: 'country_daily',
          environment: 'dev',
          status: 'succeeded',
          trigger: 'schedule',
          queuedAt: T0 + 10,
        },
        {
          contractName: 'country_daily',
          environment: 'dev',
          status: 'failed',
          trigger: 'manual',
          queuedAt: T0 + 20,
        },
        {
          contractName: 'country_daily',
          environment: 'prod',
          status: 'succeeded',
          trigger: 'schedule',
          queuedAt: T0 + 20,
        },
        {
          contractName: 'air_quality',
          environment: 'dev',
          status: 'running',
          trigger: 'push',
          queuedAt: T0 + 30,
        },
        {
          contractName: 'air_quality',
          environment: 'prod',
          status: 'succeeded',
          trigger: 'schedule',
          queuedAt: T0 + 40,
        },
        {
          contractName: 'country_daily',
          environment: 'dev',
          status: 'succeeded',
          trigger: 'retry',
          queuedAt: T0 + 40,
        },
        {
          contractName: 'country_daily',
          environment: 'test',
          status: 'queued',
          trigger: 'manual',
          queuedAt: T0 + 40,
        },
        {
          contractName: 'air_quality',
          environment: 'dev',
          status: 'rolled_back',
          trigger: 'push',
          queuedAt: LATE,
        },
      ];
      runs = [];
      for (const s of specs) runs.push(await insertRun(store, s));
    });

    /** The reference order: queued_at descending, then id descending. */
    function expected(pred: (r: Run) => boolean): string[] {
      return runs
        .filter(pred)
        .sort((a, b) => b.queuedAt - a.queuedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .map((r) => r.id);
    }

    const cases: Array<[string, RunFilter, (r: Run) => boolean]> = [
      ['no filter', {}, () => true],
      ['contract', { contract: 'air_quality' }, (r) => r.contractName === 'air_quality'],
      ['status', { status: 'succeeded' }, (r) => r.status === 'succeeded'],
      ['environment', { environment: 'dev' }, (r) => r.environment === 'dev'],
      ['trigger', { trigger: 'schedule' }, (r) => r.trigger === 'schedule'],
      ['from (inclusive)', { from: T0 + 20 }, (r) => r.queuedAt >= T0 + 20],
      ['to (exclusive)', { to: T0 + 40 }, (r) => r.queuedAt < T0 + 40],
      ['time range', { from: T0 + 20, to: T0 + 40 }, (r) => r.queuedAt >= T0 + 20 && r.queuedAt < T0 + 40],
      [
        'combined',
        { contract: 'country_daily', environment: 'dev', status: 'succeeded' },
        (r) => r.contractName === 'country_daily' && r.environment === 'dev' && r.status === 'succeeded',
      ],
      ['nothing matches', { contract: 'air_quality', trigger: 'retry' }, () => false],
    ];

    it.each(cases)('filters by %s, newest first', async (_name, filter, pred) => {
      const page = await store.runs.list(filter, 100);
      const want = expected(pred);
      expect(page.runs.map((r) => r.id)).toEqual(want);
      expect(page.totalCount).toBe(want.length);
      expect(page.hasNextPage).toBe(false);
    });

    it('filters by parent run', async () => {
      const child = await insertRun(store, { parentRunId: runs[1]!.id, trigger: 'retry' });
      const page = await store.runs.list({ parentRunId: runs[1]!.id }, 10);
      expect(page.runs.map((r) => r.id)).toEqual([child.id]);
    });

    it('pages with a keyset cursor: three pages, no duplicates, ties broken by id', async () => {
      const seen: string[] = [];
      const pages: Array<{ n: number; hasNextPage: boolean; totalCount: number }> = [];
      let after: { queuedAt: number; id: string } | undefined;
      for (;;) {
        const page = await store.runs.list({}, 3, after);
        pages.push({ n: page.runs.length, hasNextPage: page.hasNextPage, totalCount: page.totalCount });
        seen.push(...page.runs.map((r) => r.id));
        if (!page.hasNextPage) break;
        const last = page.runs[page.runs.length - 1]!;
        after = { queuedAt: last.queuedAt, id: last.id };
        expect(pages.length).toBeLessThan(10);
      }
      expect(pages).toEqual([
        { n: 3, hasNextPage: true, totalCount: 8 },
        { n: 3, hasNextPage: true, totalCount: 8 },
        { n: 2, hasNextPage: false, totalCount: 8 },
      ]);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expected(() => true));
    });

    it('pages within a filter, counting only what matches', async () => {
      const want = expected((r) => r.environment === 'dev');
      const first = await store.runs.list({ environment: 'dev' }, 2);
      expect(first.totalCount).toBe(want.length);
      expect(first.hasNextPage).toBe(true);
      const last = first.runs[1]!;
      const second = await store.runs.list({ environment: 'dev' }, 10, {
        queuedAt: last.queuedAt,
        id: last.id,
      });
      expect(second.hasNextPage).toBe(false);
      expect([...first.runs, ...second.runs].map((r) => r.id)).toEqual(want);
    });

    it('has no next page when the page is exactly full', async () => {
      const page = await store.runs.list({}, runs.length);
      expect(page.runs).toHaveLength(runs.length);
      expect(page.hasNextPage).toBe(false);
    });
  });

  describe('succeededAfter', () => {
    it('returns succeeded runs of the view committed after `since`, oldest commit first', async () => {
      const since = T0 + 100;
      const late = await insertRun(store, { status: 'succeeded', committedAt: LATE });
      const early = await insertRun(store, { status: 'succeeded', committedAt: since + 1 });
      // Excluded: at `since` exactly, before it, rolled back, other env, major, contract, not committed.
      await insertRun(store, { status: 'succeeded', committedAt: since });
      await insertRun(store, { status: 'succeeded', committedAt: since - 50 });
      await insertRun(store, { status: 'rolled_back', committedAt: since + 5, invalidatedAt: since + 6 });
      await insertRun(store, { status: 'succeeded', committedAt: since + 5, environment: 'prod' });
      await insertRun(store, { status: 'succeeded', committedAt: since + 5, contractVersion: '2.0.0' });
      await insertRun(store, {
        status: 'succeeded',
        committedAt: since + 5,
        contractName: 'air_quality',
      });
      await insertRun(store, { status: 'running' });

      const got = await store.runs.succeededAfter('dev', 'country_daily', 1, since);
      expect(got.map((r) => r.id)).toEqual([early.id, late.id]);
      expect(got[1]).toEqual(late);
    });
  });
});

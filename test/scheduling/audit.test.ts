/**
 * The audit trail: every change (apply, promote, trigger, ingest, rollback,
 * reprocess, backfill, and the reprocessing a rollback sets off) appends one entry
 * saying who did what, when, to which target, in which environment, and the state
 * before and after, so an auditor can follow it to the runs it started.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/store/audit.repository';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import {
  createManagedRuntime,
  day,
  listRuns,
  waitForRun,
  waitForRuns,
  type ManagedRuntime,
} from '../support/managed';

const SENSOR = `
name: sensor
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: integer }
expectations: []
features:
  - { name: reading, column: reading }
  - { name: change, window: { op: diff, column: reading } }
policy: { onNewVersion: backfill }
`;

const SENSOR_1_1 = SENSOR.replace('version: 1.0.0', 'version: 1.1.0').replace(
  'policy:',
  "  - { name: doubled, expr: 'reading * 2' }\npolicy:",
);

const FILES = `
name: files
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: csv, path: "files/*.csv" }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: integer }
expectations: []
features:
  - { name: reading, column: reading }
`;

describe(`audit trail (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  beforeEach(async () => {
    rt = await createManagedRuntime();
  });
  afterEach(() => rt.dispose());

  /** The entries appended by `action`, oldest first. */
  async function appended(action: () => Promise<unknown>): Promise<AuditEntry[]> {
    const before = (await rt.store.audit.list({ limit: 1 }))[0]?.id ?? 0;
    rt.clock.advance(60_000);
    await action();
    return (await rt.store.audit.list({ limit: 1000 })).filter((e) => e.id > before).reverse();
  }

  const ingest = (reading: number, d: number, actor = 'erin') => {
    rt.clock.advance(1_000);
    return rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: [{ day: day(d), sensor: 'S', reading }],
      actor,
    });
  };

  it('apply: the version registered, and the version it replaces in dev', async () => {
    const first = await appended(() => rt.apply('alice', SENSOR));
    const second = await appended(() => rt.apply('bob', SENSOR_1_1));

    expect(first).toMatchObject([
      {
        actor: 'alice',
        action: 'contract.apply',
        targetKind: 'contract',
        targetId: 'sensor@1.0.0',
        environment: 'dev',
        before: null,
        after: { version: '1.0.0', hash: expect.any(String) },
      },
    ]);
    expect(second).toMatchObject([
      {
        actor: 'bob',
        action: 'contract.apply',
        targetId: 'sensor@1.1.0',
        before: { activeVersion: '1.0.0' },
        after: { version: '1.1.0' },
      },
    ]);
    expect(second[0]!.at).toBe(rt.clock.now());
    // Re-applying the same content changes nothing and records nothing.
    expect(await appended(() => rt.apply('bob', SENSOR_1_1))).toEqual([]);
  });

  it('promote: the version active in the target before and after', async () => {
    await rt.apply('alice', SENSOR);
    await ingest(1, 1);

    const entries = await appended(() => rt.contracts.promote('sensor', '1.0.0', 'test', 'frank'));

    expect(entries.find((e) => e.action === 'contract.promote')).toMatchObject({
      actor: 'frank',
      targetKind: 'contract',
      targetId: 'sensor@1.0.0',
      environment: 'test',
      at: rt.clock.now(),
      before: null,
      after: { activeVersion: '1.0.0' },
    });
  });

  it('trigger: who ran which contract, and the run it started', async () => {
    await rt.apply('alice', FILES);
    await mkdir(join(rt.config.landingDir, 'files'), { recursive: true });
    await writeFile(join(rt.config.landingDir, 'files', 'a.csv'), `day,sensor,reading\n${day(1)},S,1\n`);
    let run: Run | undefined;

    const [entry, ...rest] = await appended(async () => {
      run = await rt.runs.trigger({ contract: 'files', environment: 'dev', actor: 'gina' });
    });

    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      actor: 'gina',
      action: 'run.trigger',
      targetId: 'files',
      environment: 'dev',
      at: rt.clock.now(),
    });
    expect(entry!.after).not.toBeNull();
    expect(JSON.stringify(entry!.after)).toContain(run!.id);
  });

  it('ingest: who pushed how many records, and the run they started', async () => {
    await rt.apply('alice', SENSOR);
    let run: Run | undefined;

    const [entry, ...rest] = await appended(async () => {
      run = await ingest(5, 1, 'henry');
    });

    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      actor: 'henry',
      action: 'run.ingest',
      targetId: 'sensor',
      environment: 'dev',
      details: { records: 1 },
    });
    expect(entry!.after).not.toBeNull();
    expect(JSON.stringify(entry!.after)).toContain(run!.id);
  });

  it('rollback: the run, its status before and after', async () => {
    await rt.apply('alice', SENSOR);
    const run = await ingest(5, 1);

    const entries = await appended(() => rt.runs.rollback(run.id, 'ivan'));

    expect(entries[0]).toMatchObject({
      actor: 'ivan',
      action: 'run.rollback',
      targetKind: 'run',
      targetId: run.id,
      environment: 'dev',
      before: { status: 'succeeded' },
      after: { status: 'rolled_back', invalidatedAt: rt.clock.now() },
    });
  });

  it('reprocess: who reprocessed which run, and the run that replaces it', async () => {
    await rt.apply('alice', SENSOR);
    const parent = await ingest(5, 1);
    let child: Run | undefined;

    const [entry, ...rest] = await appended(async () => {
      child = await rt.runs.reprocess(parent.id, { actor: 'judy' });
    });

    expect(rest).toEqual([]);
    expect(child).toMatchObject({ status: 'succeeded', parentRunId: parent.id });
    expect(entry).toMatchObject({
      actor: 'judy',
      action: 'run.reprocess',
      environment: 'dev',
      details: { parent: parent.id },
    });
    expect(entry!.after).not.toBeNull();
    expect(JSON.stringify(entry!.after)).toContain(child!.id);
  });

  it('backfill: the version applied, who applied it, and the runs it queued', async () => {
    await rt.apply('alice', SENSOR);
    const a = await ingest(5, 1);
    const b = await ingest(7, 2);

    const entries = await appended(() => rt.apply('kate', SENSOR_1_1));
    const backfills = await listRuns(rt, { trigger: 'backfill' });

    expect(backfills.map((r) => r.parentRunId)).toEqual([a.id, b.id]);
    expect(entries.map((e) => e.action)).toEqual(['contract.apply', 'contract.backfill']);
    expect(entries[1]).toMatchObject({
      actor: 'kate',
      targetKind: 'contract',
      targetId: 'sensor@1.1.0',
      environment: 'dev',
      before: null,
      after: { runs: backfills.map((r) => r.id) },
      details: { reprocessed: 2, newBatches: 0 },
    });
    for (const r of backfills) await waitForRun(rt, r.id);
  });

  it('the reprocessing a rollback sets off: the run replaced and the run replacing it, by the reaction', async () => {
    await rt.apply('alice', SENSOR);
    await ingest(5, 1);
    const b = await ingest(7, 2);
    const c = await ingest(9, 3);

    rt.clock.advance(60_000);
    await rt.runs.rollback(b.id, 'ivan');
    const [reaction] = await waitForRuns(rt, { trigger: 'reprocess' }, 1);
    await waitForRun(rt, reaction!.id);

    const [entry] = await rt.store.audit.list({ targetKind: 'run', targetId: c.id });
    expect(entry).toMatchObject({
      actor: `system:reaction (rollback of ${b.id})`,
      action: 'run.reprocess',
      environment: 'dev',
      before: { status: 'succeeded' },
      after: { run: reaction!.id, status: 'queued' },
      details: { rolledBack: b.id },
    });
  });
});

/**
 * A process recognises runs held by a dead process of the same owner (host and pid
 * namespace), e.g. the one a restart replaced, and recovers them at once, whatever
 * their lease says. A run whose holder on this host is alive (same pid, same
 * incarnation) is never recovered, however late its lease; runs of another owner, or
 * claims without an incarnation, wait for their lease.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  claimHolder,
  defaultInstanceId,
  heldByDeadIncarnation,
  processIncarnation,
  processOwner,
  selfIncarnation,
} from '../../src/lib/incarnation';
import { testEngine } from '../support/engine';
import { createManagedRuntime, day, enqueueRecords, listRuns, type ManagedRuntime } from '../support/managed';

const V1 = `
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
`;
const LEASE = 60_000;

/** The pid of a process that has exited (and, right after, is very unlikely to be reused). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('incarnations', () => {
  it('a claim of the same owner whose pid is gone is a dead incarnation; anything else is not', () => {
    const me = `${processOwner()}:${process.pid}`;
    const gone = deadPid();
    expect(defaultInstanceId).toBe(me);
    expect(heldByDeadIncarnation(`${processOwner()}:${gone}`, me)).toBe(true);
    expect(heldByDeadIncarnation(`${processOwner()}:${process.ppid}`, me)).toBe(false); // alive
    expect(heldByDeadIncarnation(me, me)).toBe(false); // ourselves
    expect(heldByDeadIncarnation(`other-host:${gone}`, me)).toBe(false);
    expect(heldByDeadIncarnation('instance-2', me)).toBe(false);
    expect(heldByDeadIncarnation(null, me)).toBe(false);
  });

  it('a live pid is the holder only under the incarnation it recorded', () => {
    const me = defaultInstanceId;
    const parent = `${processOwner()}:${process.ppid}`;
    const incarnation = processIncarnation(process.ppid);
    expect(incarnation).toEqual(expect.any(String));
    expect(processIncarnation(process.ppid)).toBe(incarnation); // stable
    expect(selfIncarnation()).not.toBe(incarnation);
    expect(claimHolder(parent, incarnation, me)).toBe('alive');
    expect(claimHolder(parent, 'an-earlier-boot/42', me)).toBe('gone'); // the pid was reused since
    expect(claimHolder(parent, null, me)).toBe('unknown'); // claimed before incarnations were recorded
    expect(claimHolder(`${processOwner()}:${deadPid()}`, incarnation, me)).toBe('gone');
    expect(claimHolder(me, selfIncarnation(), me)).toBe('unknown'); // this process: its executor knows
    expect(claimHolder(me, 'an-earlier-boot/42', me)).toBe('gone'); // a predecessor with our pid (pid 1 in containers)
    expect(claimHolder(`elsewhere:${process.ppid}`, incarnation, me)).toBe('unknown');
    expect(claimHolder('instance-2', incarnation, me)).toBe('unknown');
  });
});

describe(`recovery of a dead incarnation's runs (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  beforeEach(async () => {
    rt = await createManagedRuntime({ contracts: [V1], leaseMs: LEASE, instanceId: defaultInstanceId });
  });
  afterEach(() => rt.dispose());

  it('fails a run held by a dead process of this owner at once, as interrupted, and retries it', async () => {
    const run = await enqueueRecords(rt, 'sensor', [{ day: day(1), sensor: 'S', reading: 1 }]);
    const now = rt.clock.now();
    const dead = `${processOwner()}:${deadPid()}`;
    expect(await rt.store.runs.claim(run, dead, now, now + LEASE)).toBe(true);

    await rt.dispatcher.sweep(); // no time has passed: the lease holds for another 60 s

    const failed = (await rt.store.runs.get(run.id))!;
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'interrupted' });
    expect(failed.error).toContain(`its process ${dead} is gone`);
    const retries = await listRuns(rt, { parentRunId: run.id, trigger: 'retry' });
    expect(retries).toHaveLength(1);
  });

  it('leaves a live process of this host its run however late its lease, and recovers it at once when it is gone', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const claimedBy = `${processOwner()}:${holder.pid}`;
      const run = await enqueueRecords(rt, 'sensor', [{ day: day(1), sensor: 'S', reading: 1 }]);
      const now = rt.clock.now();
      const incarnation = processIncarnation(holder.pid!);
      expect(await rt.store.runs.claim(run, claimedBy, now, now + LEASE, incarnation)).toBe(true);
      for (let i = 0; i < 3; i++) {
        rt.clock.advance(10 * LEASE); // e.g. its heartbeat waits for the write lock of a long commit
        await rt.dispatcher.sweep();
        expect((await rt.store.runs.get(run.id))!.status).toBe('running');
      }
      expect(await listRuns(rt, { parentRunId: run.id, trigger: 'retry' })).toEqual([]);

      holder.kill('SIGKILL');
      await once(holder, 'exit');
      await rt.dispatcher.sweep();
      const failed = (await rt.store.runs.get(run.id))!;
      expect(failed).toMatchObject({ status: 'failed', errorKind: 'interrupted' });
      expect(failed.error).toContain(`its process ${claimedBy} is gone`);
      expect(await listRuns(rt, { parentRunId: run.id, trigger: 'retry' })).toHaveLength(1);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('leaves a claim of a live process without an incarnation, or of another host, to its lease', async () => {
    for (const holder of [`${processOwner()}:${process.ppid}`, `elsewhere:${deadPid()}`]) {
      const run = await enqueueRecords(rt, 'sensor', [{ day: day(1), sensor: holder, reading: 1 }]);
      const now = rt.clock.now();
      expect(await rt.store.runs.claim(run, holder, now, now + LEASE)).toBe(true);
      await rt.dispatcher.sweep();
      expect((await rt.store.runs.get(run.id))!.status).toBe('running');
      // Free the lane for the next holder: the lease lapses, the ordinary sweep fails it.
      rt.clock.advance(LEASE + 1);
      await rt.dispatcher.sweep();
      expect((await rt.store.runs.get(run.id))!.status).toBe('failed');
    }
  });
});

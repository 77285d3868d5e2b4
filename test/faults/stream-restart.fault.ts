/**
 * Fault: a `tidemark serve` consuming a JetStream subject is stopped (SIGTERM) or
 * killed (SIGKILL) and started again.
 *
 * - Workqueue retention (14.16): 10 messages committed, 6 more held by a paused
 *   micro-batch (one fails a `fail` check), the process goes, the contract is fixed,
 *   the process comes back: it reconnects and writes the 6, nothing twice.
 * - Killed mid-run (14.17): the restarted process fails its predecessor's run at
 *   start-up instead of waiting for the 60 s lease, and every message is written once.
 */
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, RetentionPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, observe, waitFor, type Workspace } from './support/workspace';
import { gqlOk } from './support/client';
import { count, runs } from './support/store';
import type { Instance } from './support/instance';

const NATS_URL = process.env.FAULTS_NATS_URL ?? 'nats://127.0.0.1:4222';
const STREAMS = `{ streams { connected paused error waitingFor lastPosition } }`;

function contract(name: string, subject: string, version: string, failAbove: boolean, maxRecords: number) {
  return `name: ${name}
version: ${version}
owner: faults
entity: { name: sensor, key: [sensor] }
eventTime: ts
source:
  type: nats
  subject: ${subject}
  batch: { maxRecords: ${maxRecords}, maxWait: PT0.5S }
schema:
  - { name: sensor, type: string, required: true }
  - { name: ts, type: timestamp, required: true }
  - { name: value, type: number, required: true }
expectations:
${failAbove ? '  - { expect: between, column: value, max: 1000, severity: fail }' : '  []'}
features:
  - { name: value, column: value }
`.replace('expectations:\n  []', 'expectations: []');
}

const reading = (i: number, value = i) =>
  JSON.stringify({ sensor: `s${i}`, ts: new Date(Date.UTC(2024, 0, 1, 0, i % 60)).toISOString(), value });

describe('stream consumer stopped or killed and restarted', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let ws: Workspace | undefined;
  const streams: string[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    jsm = await jetstreamManager(nc);
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
    await ws?.dispose();
    ws = undefined;
  });
  afterAll(async () => {
    for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
    await nc?.close();
  });

  async function openStream(retention: RetentionPolicy) {
    const id = randomBytes(4).toString('hex');
    const name = `FAULT_${id.toUpperCase()}`;
    const subject = `tidemark.fault.${id}`;
    await jsm.streams.add({ name, subjects: [subject], retention });
    streams.push(name);
    const js = jetstream(nc);
    const publish = async (payloads: string[]) => {
      const seqs: number[] = [];
      for (const p of payloads) seqs.push((await js.publish(subject, p)).seq);
      return seqs;
    };
    return { id, subject, publish };
  }

  const start = (w: Workspace, name: string) => w.start(name, { env: { NATS_URL } });
  const status = async (i: Instance) => (await gqlOk(i.graphqlUrl, STREAMS)).streams[0];
  const rows = (w: Workspace) => count(w.db, 'SELECT count(*) AS n FROM feature_rows');
  const distinct = (w: Workspace) => count(w.db, 'SELECT count(DISTINCT entity_key) AS n FROM feature_rows');

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'workqueue stream, paused with 6 unacknowledged after 10 committed, %s, fixed, restarted: 16 rows once',
    async (signal) => {
      const s = await openStream(RetentionPolicy.Workqueue);
      const name = `wq_${s.id}`;
      ws = await createWorkspace('stream-wq');
      ws.addContract('wq.yaml', contract(name, s.subject, '1.0.0', true, 10));
      const first = await start(ws, 'a');
      await s.publish(Array.from({ length: 10 }, (_, i) => reading(i)));
      await waitFor(async () => (await rows(ws!)) === 10, 30_000, '10 rows committed');
      await s.publish(Array.from({ length: 6 }, (_, i) => reading(10 + i, i === 3 ? 5000 : i)));
      const paused = await waitFor(
        async () => (await status(first))?.paused && status(first),
        30_000,
        'pause',
      );
      expect(paused.error).toMatch(/between/);
      await first.kill(signal);

      ws.addContract('wq.yaml', contract(name, s.subject, '1.1.0', false, 10));
      const second = await start(ws, 'b');
      const after = await waitFor(
        async () => {
          const st = await status(second);
          return st?.connected && (await rows(ws!)) === 16 ? st : null;
        },
        30_000,
        'the 6 held messages written after the restart',
      );
      expect(after).toMatchObject({ connected: true, paused: false, error: null, waitingFor: null });
      expect(await distinct(ws)).toBe(16);
      const streamRuns = await runs(ws.db, "trigger IN ('stream','retry')");
      const written = streamRuns.reduce((n, r) => n + r.rows_written, 0);
      expect(written).toBe(16);
      observe(
        'JetStream workqueue stream restarted',
        `workqueue retention; 10 committed, 6 more paused on a fail check; ${signal}; contract fixed; restarted`,
        `reconnected (connected: true), the 6 written under 1.1.0; 16 feature rows for 16 sensors, none twice; runs ${streamRuns.map((r) => r.status).join(', ')}`,
      );
    },
  );

  it('killed mid-run: the restarted process recovers the run at start-up, not after the 60 s lease', async () => {
    const s = await openStream(RetentionPolicy.Limits);
    const name = `killed_${s.id}`;
    const total = 40_000;
    ws = await createWorkspace('stream-kill');
    ws.addContract('k.yaml', contract(name, s.subject, '1.0.0', false, 1000));
    const first = await start(ws, 'a');
    await s.publish(Array.from({ length: total }, (_, i) => reading(i)));
    const running = await waitFor(
      async () => (await runs(ws!.db, "status = 'running' AND trigger = 'stream'"))[0],
      60_000,
      'a stream run executing',
      10,
    );
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    const restartedAt = Date.now();
    const second = await start(ws, 'b');
    const recovered = await waitFor(
      async () => {
        const [r] = await runs(ws!.db, 'id = $1', [running.id]);
        return r?.status === 'failed' ? r : null;
      },
      20_000,
      'the killed run failed by its successor',
    );
    const recoveredMs = Date.now() - restartedAt;
    expect(recovered.error_kind).toBe('interrupted');
    expect(recovered.error).toMatch(/is gone; recovered at once/);
    await waitFor(async () => (await rows(ws!)) === total, 120_000, `all ${total} rows`);
    const st = await status(second);
    expect(st).toMatchObject({ connected: true, paused: false, waitingFor: null });
    expect(await distinct(ws)).toBe(total);
    observe(
      'process killed holding a stream run',
      `${total} messages on a limits stream; SIGKILL while micro-batch run ${running.id} executed; restart`,
      `the restarted process failed it as interrupted ${(recoveredMs / 1000).toFixed(1)} s after it was started (lease 60 s) and retried it; ${total} rows, none twice`,
    );
  });
});

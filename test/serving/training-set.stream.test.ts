/**
 * streamTrainingSet's steps: a spine, in a file or as a stream, is read once and counted
 * whole (a bad row anywhere refused) before the answer starts, then joined from what the
 * count kept, chunk by chunk; a failure after the answer started cuts it off.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { streamTrainingSet, type SpineJoiner } from '../../src/serving/training-set.stream';
import type { TrainingPlan } from '../../src/serving/multi-view';
import type { JoinedChunk, SpineRow } from '../../src/serving/spine-join';
import { spineSlice, type SpineSlice } from '../../src/serving/spine-slice';

const plan = {
  views: [],
  spineColumns: [{ name: 'country', type: 'string' }],
  columns: [{ name: 'x', type: 'number', view: 0, feature: 0 }],
} as unknown as TrainingPlan;
const opts = { format: 'csv' as const, timestampColumn: 'timestamp', chunkRows: 2, maxRows: 100 };
const dir = mkdtempSync(join(tmpdir(), 'tidemark-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spineFile(text: string): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(path, text);
  return path;
}

/** A joiner that records what it was called with; x is the row's position in its chunk. */
function recorder(failOnJoin?: number) {
  const calls: string[] = [];
  const kept: SpineRow[] = [];
  let joins = 0;
  const joiner: SpineJoiner = {
    count: (rows) => {
      calls.push(`count ${rows.length}`);
      kept.push(...rows);
    },
    load: async () => void calls.push('load'),
    release: () => void calls.push('release'),
    get length() {
      return kept.length;
    },
    join: async (start: number, end: number): Promise<{ rows: SpineSlice; joined: JoinedChunk }> => {
      calls.push(`join ${start}-${end}`);
      if (++joins === failOnJoin) throw new Error('the store went away');
      const rows = kept.slice(start, end);
      return {
        rows: spineSlice(rows),
        joined: { length: rows.length, values: [Float64Array.from(rows, (_, i) => i)], matches: [] },
      };
    },
  };
  return { joiner, calls };
}

function sink() {
  const out = { started: false, text: '' };
  return {
    out,
    sink: {
      start: async () => void (out.started = true),
      write: async (c: string | Uint8Array) => void (out.text += String(c)),
    },
  };
}

const FIVE =
  'country,timestamp\nFRA,2024-05-01\nDEU,2024-05-02\nITA,2024-05-03\nFRA,2024-05-04\nESP,2024-05-05\n';

/** FIVE in chunks of two: counted whole, loaded, joined, then released. */
const FIVE_STEPS = ['count 2', 'count 2', 'count 1', 'load', 'join 0-2', 'join 2-4', 'join 4-5', 'release'];

describe('streamTrainingSet', () => {
  it('counts a spine file whole, loads, then joins what it kept chunk by chunk', async () => {
    const { joiner, calls } = recorder();
    const { out, sink: s } = sink();
    await streamTrainingSet(joiner, plan, { csv: createReadStream(spineFile(FIVE)) }, opts, s);
    expect(calls).toEqual(FIVE_STEPS);
    expect(out.text.split('\n')).toEqual([
      'country,timestamp,x',
      'FRA,2024-05-01T00:00:00.000Z,0',
      'DEU,2024-05-02T00:00:00.000Z,1',
      'ITA,2024-05-03T00:00:00.000Z,0',
      'FRA,2024-05-04T00:00:00.000Z,1',
      'ESP,2024-05-05T00:00:00.000Z,0',
      '',
    ]);
  });

  it('refuses a bad last row of a spine file before the answer starts', async () => {
    const { joiner, calls } = recorder();
    const { out, sink: s } = sink();
    const bad = `${FIVE}PRT,someday\n`;
    await expect(
      streamTrainingSet(joiner, plan, { csv: createReadStream(spineFile(bad)) }, opts, s),
    ).rejects.toThrow(/spine row 6 \(line 7\)/);
    expect(out.started).toBe(false);
    expect(calls.some((c) => c.startsWith('join'))).toBe(false);
    expect(calls.at(-1)).toBe('release');
  });

  it('counts a spine read as it streams the same way, and refuses its bad last row before the answer', async () => {
    const { joiner, calls } = recorder();
    const { out, sink: s } = sink();
    await streamTrainingSet(joiner, plan, { csv: Readable.from([FIVE]) }, opts, s);
    expect(calls).toEqual(FIVE_STEPS);
    expect(out.text.split('\n')).toHaveLength(7);

    const bad = recorder();
    const later = sink();
    await expect(
      streamTrainingSet(bad.joiner, plan, { csv: Readable.from([`${FIVE}PRT,someday\n`]) }, opts, later.sink),
    ).rejects.toThrow(/spine row 6 \(line 7\)/);
    expect(later.out.started).toBe(false);
  });

  it('cuts the answer off when a join fails after the first chunk was written', async () => {
    const { joiner, calls } = recorder(3);
    const { out, sink: s } = sink();
    await expect(
      streamTrainingSet(joiner, plan, { csv: createReadStream(spineFile(FIVE)) }, opts, s),
    ).rejects.toThrow(/the store went away/);
    expect(calls.at(-1)).toBe('release');
    expect(out.started).toBe(true);
    expect(out.text).toContain('FRA,2024-05-01T00:00:00.000Z,0');
  });
});

import { describe, expect, it } from 'vitest';
import { StageTimer } from '../../src/pipeline/stage-timer';

/** A clock that moves only when told to. */
function ticking() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('StageTimer', () => {
  it('records each stage in order with its time and rows, and adds up a stage entered twice', async () => {
    const c = ticking();
    const timer = new StageTimer(c.now);
    await timer.time(
      'read',
      () => (c.advance(12.34), [1, 2, 3]),
      (r) => r.length,
    );
    await timer.time('validate', async () => c.advance(5));
    await timer.time(
      'read',
      () => (c.advance(1), [4]),
      (r) => r.length,
    );
    expect(timer.list()).toEqual([
      { name: 'read', ms: 13.3, rows: 4 },
      { name: 'validate', ms: 5, rows: null },
    ]);
  });

  it('keeps a stage that threw, so a failed run shows where it failed', async () => {
    const c = ticking();
    const timer = new StageTimer(c.now);
    await expect(
      timer.time('view checks', () => {
        c.advance(7);
        throw new Error('view check failed');
      }),
    ).rejects.toThrow('view check failed');
    expect(timer.list()).toEqual([{ name: 'view checks', ms: 7, rows: null }]);
  });
});

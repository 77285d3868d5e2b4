/**
 * Run work yields the CPU to requests (src/lib/run-priority.ts): a run thread lowers only
 * itself, a worker process every thread it has and those it starts after, and nothing is
 * ever raised. Each case runs in a child process, so this test process keeps its priority.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { yieldToRequests } from '../../src/lib/run-priority';

const child = fileURLToPath(new URL('./fixtures/run-priority-child.ts', import.meta.url));
const run = (mode: string) =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', child, mode], { encoding: 'utf8' }));

describe.skipIf(process.platform !== 'linux')('lowerRunPriority', () => {
  it('from a worker thread: that thread only, the main thread keeps its priority', () => {
    const got = run('thread');
    expect(got.worker).toEqual({ lowered: 1, nice: 10 });
    expect(got.main).toBeLessThan(10);
  });

  it("from a process's main thread: every thread it has, and the threads it starts later", () => {
    const got = run('process');
    expect(got.lowered).toBe(got.threads.length);
    expect(got.threads.length).toBeGreaterThan(1); // libuv's and V8's threads, not only JavaScript's
    expect(got.threads.every((n: number) => n === 7)).toBe(true);
    expect(got.later).toBe(7);
  });

  it('never raises a thread that already runs lower', () => {
    const got = run('lower-already');
    expect(got.before.every((n: number) => n === 12)).toBe(true);
    expect(got.lowered).toBe(0);
    expect(got.main).toBe(12);
  });
});

describe('yieldToRequests', () => {
  it('0 leaves the priority alone and says nothing', () => {
    const logger = { info: vi.fn(), warn: vi.fn() };
    yieldToRequests(0, logger);
    expect(logger.info).not.toHaveBeenCalled();
    expect(logger.warn).not.toHaveBeenCalled();
  });
});

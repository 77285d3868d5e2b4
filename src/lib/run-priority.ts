/**
 * Lowers the CPU priority of run work, so that on a shared machine the API answers
 * first and runs take the cycles it leaves. Linux keeps a nice value per thread: a
 * `--role worker` process lowers every thread it has (its JavaScript thread, the
 * database and file threads, V8's helpers; threads started later inherit it from the
 * thread that starts them), the run thread of `--role all` only itself, since the
 * process's database threads serve the API too. Raising a nice value needs no
 * privilege (lowering it back would), so this only ever goes one way.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** The threads to lower: all of the process's from its main thread, else the calling one. */
function threads(): number[] {
  if (isMainThread) return readdirSync('/proc/self/task').map(Number);
  // "<pid>/task/<tid>": this thread's id, which setpriority takes on Linux.
  return [Number(readlinkSync('/proc/thread-self').split('/').pop())];
}

/**
 * Sets the nice value `nice` (0–19) on the threads that run work; returns how many
 * were lowered. A thread already at or above it is left alone (never raised).
 */
export function lowerRunPriority(nice: number): number {
  if (nice <= 0) return 0;
  if (process.platform !== 'linux') {
    // Elsewhere a nice value is per process: the whole process, from its main thread only.
    if (!isMainThread || getPriority() >= nice) return 0;
    setPriority(nice);
    return 1;
  }
  let lowered = 0;
  for (const tid of threads()) {
    try {
      if (getPriority(tid) >= nice) continue;
      setPriority(tid, nice);
      lowered++;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return lowered;
}

interface InfoLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** lowerRunPriority for `serve`'s run work, said once in the log (a failure too: runs go on). */
export function yieldToRequests(nice: number, logger: InfoLogger): void {
  if (nice <= 0) return;
  try {
    const threads = lowerRunPriority(nice);
    logger.info({ nice, threads }, 'run work yields the CPU to requests (TIDEMARK_RUN_NICE)');
  } catch (err) {
    logger.warn({ nice, err: (err as Error).message }, 'could not lower the priority of run work');
  }
}

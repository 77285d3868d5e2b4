/** Progress of long runs: a live line on a terminal, JSON log lines otherwise. */
import type { Logger } from 'pino';
import type { ProgressFn } from '../pipeline/read-stage';

export function progressReporter(logger: Logger): ProgressFn {
  if (process.stderr.isTTY) {
    return (p) =>
      process.stderr.write(
        `\r${p.stage}: ${p.rows.toLocaleString('en')} rows (${p.rowsPerSec.toLocaleString('en')} rows/s)   `,
      );
  }
  return (p) => logger.info(p, 'progress');
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}

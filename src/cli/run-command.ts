/**
 * How every CLI command ends: a Tidemark error prints its message (no stack) and
 * exits 1; a database that cannot be reached or a full disk prints why, exit 75
 * (EX_TEMPFAIL: try again later); anything else is a bug and prints its stack, exit 70
 * (EX_SOFTWARE).
 */
import { TidemarkError, asStorageFull, asUnavailable } from '../errors';
import { loadConfig, type Config } from '../config';
import { openRuntime, type Runtime } from '../runtime';
import { createLogger } from '../observability/logger';

export function command<A extends unknown[]>(fn: (...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

export function reportError(err: unknown): number {
  const unavailable = asStorageFull(err) ?? asUnavailable(err);
  if (unavailable) {
    process.stderr.write(`error: ${unavailable.message}\n`);
    return 75;
  }
  if (err instanceof TidemarkError) {
    process.stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return 70;
}

/** Opens the runtime for a one-shot command and always closes it. */
export async function withRuntime<T>(
  fn: (rt: Runtime) => Promise<T>,
  config: Config = loadConfig(),
): Promise<T> {
  // CLI output goes to stdout; logs stay on stderr and quiet unless asked for.
  const logger = createLogger(
    config.logLevel === 'info' ? 'warn' : config.logLevel,
    undefined,
    config.logFormat,
  );
  const rt = await openRuntime(config, { logger });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

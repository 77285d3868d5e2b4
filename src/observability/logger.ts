/**
 * Logs (pino). JSON lines for machines: one object per line, run-scoped loggers
 * carry runId, contract, environment and trigger as fields. On a terminal (format
 * `auto`) the same records are printed as human-readable lines by pino-pretty.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat } from '../config';

export type { Logger };

/** `auto` means pretty exactly when the logs go to a terminal. */
export function resolveLogFormat(format: LogFormat, isTTY: boolean): 'json' | 'pretty' {
  if (format === 'auto') return isTTY ? 'pretty' : 'json';
  return format;
}

export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  format: LogFormat = 'json',
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'tidemark' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  };
  const isTTY = destination ? false : Boolean(process.stderr.isTTY);
  if (resolveLogFormat(format, isTTY) === 'json') return pino(options, destination ?? pino.destination(2));
  const stream = pretty({
    destination: destination ?? 2,
    sync: true,
    colorize: isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
  return pino(options, stream);
}

/** A logger that drops everything: for tests and for CLI commands run with --quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Structured JSON logs (pino). Every log line is one JSON object; run-scoped
 * loggers carry runId, contract, environment and trigger as fields.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tidemark' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? pino.destination(2),
  );
}

/** A logger that drops everything: for tests and for CLI commands run with --quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

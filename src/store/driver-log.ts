/**
 * Where knex's own messages go. Left alone, knex prints them with console.log: coloured
 * text on stdout, in the middle of what a CLI command prints there (a `--json` answer
 * included), and outside the structured JSON logs operators collect. They go to the
 * process's logger instead, as records of the "database driver" component; without one
 * (a script, a test), as the same JSON record on stderr.
 */
import type { Knex } from 'knex';

/** The slice of the process logger (pino) the driver's messages need. */
export interface DriverLogger {
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

type Level = 'warn' | 'error';

/** The first line is the message; the rest (a stack, mostly) travels as `detail`. */
function record(message: unknown): { msg: string; fields: Record<string, unknown> } {
  const text = typeof message === 'string' ? message : String(message);
  const cut = text.indexOf('\n');
  const msg = cut < 0 ? text : text.slice(0, cut);
  const fields: Record<string, unknown> = { component: 'database driver' };
  if (cut >= 0) fields.detail = text.slice(cut + 1).trim();
  return { msg, fields };
}

/** A JSON line on stderr, shaped like the logger's records. */
export const stderrDriverLogger: DriverLogger = {
  warn: (fields, msg) => writeLine('warn', fields, msg),
  error: (fields, msg) => writeLine('error', fields, msg),
};

function writeLine(level: Level, fields: Record<string, unknown>, msg: string): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: 'tidemark', ...fields, msg })}\n`,
  );
}

/** knex's `log` option: warnings, errors and deprecations to `logger`; its debug output nowhere. */
export function knexLog(logger: DriverLogger = stderrDriverLogger): NonNullable<Knex.Config['log']> {
  const to = (level: Level) => (message: unknown) => {
    const { msg, fields } = record(message);
    logger[level](fields, msg);
  };
  return { warn: to('warn'), error: to('error'), deprecate: to('warn'), debug: () => undefined };
}

/**
 * Log format: JSON lines when logs go to a file or pipe, one human-readable line per
 * record on a terminal (pino-pretty), or as TIDEMARK_LOG_FORMAT says.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, resolveLogFormat } from '../../src/observability/logger';
import { loadConfig } from '../../src/config';

function capture(format: 'json' | 'pretty'): { lines: () => string[]; log: ReturnType<typeof createLogger> } {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const log = createLogger('info', sink, format);
  return { lines: () => out.trimEnd().split('\n'), log };
}

describe('logger', () => {
  it('auto is pretty on a terminal and JSON otherwise; json and pretty are forced', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });

  it('json: one object per line with level label, ISO time and fields', () => {
    const { log, lines } = capture('json');
    log.info({ runId: 'run_1', rows: 5 }, 'run started');
    const [line] = lines();
    expect(JSON.parse(line!)).toMatchObject({
      level: 'info',
      service: 'tidemark',
      runId: 'run_1',
      msg: 'run started',
    });
    expect(JSON.parse(line!).time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('pretty: one readable line per record, level and message first, fields after', async () => {
    const { log, lines } = capture('pretty');
    log.warn({ contract: 'cases', ageSeconds: 3 }, 'feature view is stale');
    log.info('tidemark listening');
    await new Promise((r) => setTimeout(r, 20));
    expect(lines()).toHaveLength(2);
    expect(lines()[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: feature view is stale \{.*"contract":"cases".*\}$/,
    );
    expect(lines()[1]).toMatch(/INFO: tidemark listening$/);
    expect(lines()[0]).not.toContain('"level"');
  });

  it('TIDEMARK_LOG_FORMAT is checked: auto by default, a typo refused naming the choices', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ TIDEMARK_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ TIDEMARK_LOG_FORMAT: 'jsno' })).toThrow(
      "TIDEMARK_LOG_FORMAT must be one of auto, json, pretty; got 'jsno'",
    );
  });
});

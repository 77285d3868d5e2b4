/**
 * Issue 13.12, read as Docker would read them (there is no Docker engine in CI): the
 * image runs as a non-root user, the build context leaves out the host's modules and
 * data, every service restarts, contracts are mounted rather than built in, the compose
 * environment is a valid configuration that requires keys, can bootstrap the first
 * admin key, and does not ingest the samples into its PostgreSQL store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { authModeFor } from '../../src/auth/gate';
import { wantSamples } from '../../src/cli/serve';

const ROOT = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Service {
  restart?: string;
  environment?: Record<string, string>;
  volumes?: string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const tidemark = compose.services.tidemark!;

/** Dockerfile instructions in order, continuation lines joined, comments dropped. */
function instructions(text: string): Array<{ op: string; args: string }> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

/** Compose's `${NAME:-default}` with nothing set in the shell. */
const interpolate = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));

describe('Dockerfile', () => {
  const steps = instructions(read('Dockerfile'));
  const last = (op: string) => steps.map((s) => s.op).lastIndexOf(op);

  it('runs the server as a non-root user', () => {
    const user = steps[last('USER')];
    expect(user, 'a USER instruction').toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(last('USER')).toBeGreaterThan(last('RUN'));
    expect(last('USER')).toBeLessThan(last('CMD'));
  });

  it('gives that user its data directory, and only that', () => {
    const env = steps
      .filter((s) => s.op === 'ENV')
      .map((s) => s.args)
      .join(' ');
    expect(env).toContain('TIDEMARK_DATA_DIR=/data');
    expect(env).toContain('TIDEMARK_CONTRACTS_DIR=/app/contracts');
    expect(steps.some((s) => s.op === 'RUN' && /chown node:node \/data/.test(s.args))).toBe(true);
    expect(steps.some((s) => s.op === 'COPY' && /--chown/.test(s.args))).toBe(false);
  });

  it('builds the console in its own stage and copies only its output into the image', () => {
    const stages = steps.filter((s) => s.op === 'FROM').map((s) => s.args);
    expect(stages[0]).toMatch(/ AS console$/);
    const image = steps.slice(steps.map((s) => s.op).lastIndexOf('FROM'));
    expect(
      image.some((s) => s.op === 'COPY' && s.args === '--from=console /app/console/dist console/dist'),
    ).toBe(true);
    // `npm ci` needs the workspace's package.json, and its `prepare` the build script, before the sources arrive.
    const ci = image.findIndex((s) => s.op === 'RUN' && /npm ci --omit=dev/.test(s.args));
    const before = image.slice(0, ci).map((s) => s.args);
    expect(before).toContain('console/package.json console/');
    expect(before).toContain('scripts/build-console.mjs scripts/');
  });
});

describe('.dockerignore', () => {
  const entries = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('leaves out host modules, data, history and build or test output', () => {
    for (const e of [
      'node_modules',
      '**/node_modules',
      'console/dist',
      'data',
      '.git',
      'bench/out',
      'test-artifacts',
    ])
      expect(entries).toContain(e);
  });

  it('keeps what the image needs', () => {
    for (const needed of [
      'src',
      'bin',
      'migrations',
      'contracts',
      'seeds',
      'package.json',
      'package-lock.json',
      'console/src',
      'console/package.json',
      'scripts/build-console.mjs',
    ])
      expect(entries.filter((e) => e === needed || needed.startsWith(`${e}/`))).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  it('restarts every service', () => {
    for (const [name, svc] of Object.entries(compose.services))
      expect(['always', 'unless-stopped', 'on-failure'], name).toContain(svc.restart);
  });

  it('mounts the contracts directory where the server reads it', () => {
    expect(tidemark.volumes).toContain('./contracts:/app/contracts:ro');
    expect(tidemark.environment!.TIDEMARK_CONTRACTS_DIR).toBe('/app/contracts');
  });

  it('is a valid configuration: keys required, bootstrap off unless set, no samples into PostgreSQL', () => {
    const env = interpolate(tidemark.environment!);
    const config = loadConfig(env);
    expect(authModeFor(config)).toBe('required');
    expect(config.bootstrapAdminKey).toBeNull();
    expect(tidemark.environment!.TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH).toBe(
      '${TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH:-}',
    );
    expect(config.databaseUrl).not.toBeNull();
    expect(wantSamples(undefined, config)).toBe(false);
    expect(wantSamples(true, config)).toBe(true);
  });
});

describe('serve: samples are opt-in outside the embedded dev default', () => {
  const config = (env: Record<string, string>) => loadConfig({ TIDEMARK_DATA_DIR: '/tmp/x', ...env });
  it('lands them on the embedded SQLite store in dev unless --no-samples', () => {
    expect(wantSamples(undefined, config({}))).toBe(true);
    expect(wantSamples(false, config({}))).toBe(false);
  });
  it('does not with DATABASE_URL or another environment, unless --samples', () => {
    const pg = config({ DATABASE_URL: 'postgres://u@h/db' });
    const prod = config({ TIDEMARK_ENV: 'prod' });
    expect([wantSamples(undefined, pg), wantSamples(undefined, prod)]).toEqual([false, false]);
    expect([wantSamples(true, pg), wantSamples(true, prod)]).toEqual([true, true]);
  });
});

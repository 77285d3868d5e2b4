/**
 * `tidemark serve` as a child process: the real binary, configured only through its
 * environment, on a free port, with its JSON log captured line by line. Every child
 * is killed when the test file ends (and, failing that, when the worker exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const BIN = join(REPO_ROOT, 'bin', 'tidemark.js');
/** argv after `node` for the CLI. */
export const BIN_ARGS = [BIN];

export interface LogLine {
  level?: string;
  msg?: string;
  [key: string]: unknown;
}

export interface InstanceOptions {
  name: string;
  dataDir: string;
  contractsDir: string;
  /** PostgreSQL; without it the instance keeps its store in SQLite under `dataDir`. */
  databaseUrl?: string;
  redisUrl?: string;
  /** Extra variables (TIDEMARK_RUN_LEASE_MS, TIDEMARK_AUTH, ...). */
  env?: Record<string, string>;
  /** Where the captured log is written (one file per instance). */
  logDir: string;
  /** Land and run the sample files at start, as `npm start` does (default: no samples). */
  samples?: boolean;
}

export interface Instance {
  name: string;
  port: number;
  pid: number;
  /** `host:pid` as the dispatcher records it in runs.claimed_by. */
  baseUrl: string;
  graphqlUrl: string;
  wsUrl: string;
  logFile: string;
  logs: LogLine[];
  /** Raw lines that were not JSON (stack traces, warnings). */
  text: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with the first log line (already seen or later) matching `pred`. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs: number, what?: string): Promise<LogLine>;
  tail(n?: number): string;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/** A port nobody listens on right now: bind 0, read it, release it. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** The environment of a child: ours without any TIDEMARK_* (the server refuses unknown ones). */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('TIDEMARK_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL') env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export async function startInstance(opts: InstanceOptions): Promise<Instance> {
  const port = await freePort();
  mkdirSync(opts.logDir, { recursive: true });
  const logFile = join(opts.logDir, `${opts.name}.log`);
  const out = createWriteStream(logFile);
  const env = childEnv({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    TIDEMARK_DATA_DIR: opts.dataDir,
    TIDEMARK_CONTRACTS_DIR: opts.contractsDir,
    TIDEMARK_LOG_LEVEL: 'info',
    ...opts.env,
  });
  const proc = spawn(process.execPath, [...BIN_ARGS, 'serve', opts.samples ? '--samples' : '--no-samples'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      r({ code, signal });
    }),
  );
  proc.once('close', () => out.end());
  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters = new Set<() => void>();
  capture(proc, out, (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      text.push(line);
    }
    for (const w of [...waiters]) w();
  });
  let dead = false;
  void exited.then(() => {
    dead = true;
    for (const w of [...waiters]) w();
  });

  const inst: Instance = {
    name: opts.name,
    port,
    pid: proc.pid!,
    baseUrl: `http://127.0.0.1:${port}`,
    graphqlUrl: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    logFile,
    logs,
    text,
    exited,
    alive: () => !dead,
    kill: async (signal = 'SIGTERM') => {
      if (dead) return;
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    waitForLog: (pred, timeoutMs, what = 'log line') =>
      new Promise((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < logs.length; seen++) {
            if (pred(logs[seen]!)) {
              cleanup();
              return resolve(logs[seen]!);
            }
          }
          if (dead) {
            cleanup();
            reject(new Error(`${opts.name} exited before logging ${what}\n${inst.tail()}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${opts.name} did not log ${what} within ${timeoutMs} ms\n${inst.tail()}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    tail: (n = 30) => [...logs.slice(-n).map((l) => JSON.stringify(l)), ...text.slice(-10)].join('\n'),
  };

  await waitHealthy(inst, 60_000);
  // `serve` answers /healthz once it listens, before its start-up work (the contract sync,
  // the first sweep) is done; /readyz says 503 until then. It is up once it says so.
  if (opts.env?.TIDEMARK_ROLE === 'worker')
    await inst.waitForLog((l) => l.msg === 'tidemark worker started', 60_000, 'worker start');
  else if (['info', 'debug', 'trace'].includes(env.TIDEMARK_LOG_LEVEL ?? 'info'))
    await inst.waitForLog((l) => l.msg === 'tidemark listening', 60_000, 'the end of start-up');
  return inst;
}

async function waitHealthy(inst: Instance, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!inst.alive()) throw new Error(`${inst.name} exited during start-up\n${inst.tail()}`);
    try {
      const res = await fetch(`${inst.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await inst.kill('SIGKILL');
  throw new Error(`${inst.name} did not answer /healthz within ${timeoutMs} ms\n${inst.tail()}`);
}

function capture(proc: ChildProcess, out: WriteStream, onLine: (line: string) => void): void {
  for (const stream of [proc.stdout!, proc.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      out.write(chunk);
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) onLine(line);
      }
    });
  }
}

/** Kills every instance still running (SIGKILL after a grace period). */
export async function stopAll(instances: Array<Instance | undefined>): Promise<void> {
  await Promise.all(instances.filter((i): i is Instance => !!i).map((i) => i.kill('SIGTERM')));
}

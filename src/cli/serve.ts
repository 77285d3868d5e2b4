/**
 * What `tidemark serve` does: loaded by serve.command.ts only when serve runs, so the
 * other commands do not load the GraphQL server (about half a CLI start-up).
 */
import { existsSync } from 'node:fs';
import { cp, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, parseRole, type Config, type Role } from '../config';
import { bootstrapAdmin } from '../auth/bootstrap';
import { openRuntime, type Runtime } from '../runtime';
import { createServer } from '../server';
import { createWorkerProbeServer } from '../worker-server';
import { loadContractFiles } from '../contracts/load';
import { whileUnavailable } from '../lib/startup-retry';
import { yieldToRequests } from '../lib/run-priority';
import { checkPortFree, listenError } from './port';
import { CronScheduler } from '../scheduling/cron-scheduler';
import { ArrivalWatcher } from '../scheduling/arrival-watcher';
import { RunThread } from './run-thread';

export interface ServeOptions {
  sync: boolean;
  samples?: boolean;
  role?: string;
}

/** `tidemark serve`: the api (and worker) of `--role`, until SIGINT or SIGTERM. */
export async function serve(opts: ServeOptions): Promise<void> {
  const config = loadConfig();
  const role = opts.role === undefined ? config.role : parseRole(opts.role, '--role');
  if (role === 'worker') return serveWorker(config, opts);
  // Before anything starts: a busy port is one line and exit 1, with nothing run.
  await checkPortFree(config.port, config.host);
  // `all` answers here and executes runs on its run thread (cli/run-thread.ts):
  // this thread's runtime only queues them, as an `api` one does.
  const rt = await openRuntime(config, { role: 'api', startupWaitMs: config.startupWaitMs });
  rt.startup.pending = 'starting';
  try {
    await bootstrapFromConfig(rt);
    const server = await createServer(rt);
    const port = await server.listen(config.port, config.host).catch(async (err: unknown) => {
      await server.stop();
      throw listenError(err, config.port, config.host) ?? err;
    });
    try {
      await startWork(rt, role, opts, async (jobs) => {
        rt.logger.info(
          { url: `http://${config.host}:${port}/graphql`, engine: rt.store.engine, role, jobs },
          'tidemark listening',
        );
        await waitForSignal();
        rt.logger.info('shutting down');
      });
    } finally {
      await server.stop();
    }
  } finally {
    await rt.close();
  }
}

/**
 * `--role worker`: executes queued runs, schedules, arrivals and streams. On PORT it
 * answers only the probes (/healthz, /readyz, /metrics), never GraphQL.
 */
async function serveWorker(config: Config, opts: { sync: boolean; samples?: boolean }): Promise<void> {
  await checkPortFree(config.port, config.host);
  const rt = await openRuntime(config, { role: 'worker', startupWaitMs: config.startupWaitMs });
  rt.startup.pending = 'starting';
  try {
    yieldToRequests(config.runNice, rt.logger);
    const probes = createWorkerProbeServer(rt);
    const port = await probes.listen(config.port, config.host).catch(async (err: unknown) => {
      await probes.stop();
      throw listenError(err, config.port, config.host) ?? err;
    });
    try {
      await startWork(rt, 'worker', opts, async (jobs) => {
        rt.logger.info(
          { probes: `http://${config.host}:${port}/healthz`, engine: rt.store.engine, role: 'worker', jobs },
          'tidemark worker started',
        );
        await waitForSignal();
        rt.logger.info('shutting down');
      });
    } finally {
      await probes.stop();
    }
  } finally {
    await rt.close();
  }
}

/**
 * Samples, contract sync, dispatcher, schedules, arrivals and streams: started once the port is ours.
 * An `api` instance syncs contracts but leaves the rest to the workers: a schedule or an arrival
 * would only queue a run that it never executes, and every worker already queues them.
 */
async function startWork(
  rt: Runtime,
  role: Role,
  opts: { sync: boolean; samples?: boolean },
  serveUntilSignal: (jobs: number) => Promise<void>,
): Promise<void> {
  const config = rt.config;
  rt.online?.start();
  if (role !== 'api' && wantSamples(opts.samples, config)) await landSamples(config.landingDir);
  if (opts.sync && existsSync(config.contractsDir)) {
    const files = await loadContractFiles([config.contractsDir]);
    const outcomes = await atStartup(rt, 'contract sync', () => rt.contracts.apply(files, 'system:serve'));
    rt.logger.info(
      { registered: outcomes.filter((o) => o.status === 'registered').map((o) => `${o.name}@${o.version}`) },
      'contracts synced',
    );
  }
  if (role === 'api') return started(rt, () => serveUntilSignal(0));
  // The run thread retries its own start-up while the database is unavailable.
  rt.startup.pending = 'first sweep';
  const thread = role === 'all' ? await RunThread.start(rt) : null;
  if (!thread) await atStartup(rt, 'first sweep', () => rt.dispatcher.start());
  const scheduler = new CronScheduler({ runs: rt.runs, registry: rt.registry, logger: rt.logger });
  const arrivals = new ArrivalWatcher({
    runs: rt.runs,
    registry: rt.registry,
    landingDir: config.landingDir,
    logger: rt.logger,
  });
  const offContracts = rt.contracts.onChange(() => {
    void scheduler.refresh();
    void arrivals.refresh();
    void rt.streams.refresh();
  });
  try {
    await scheduler.start();
    await arrivals.start();
    await rt.streams.start();
    const serving = started(rt, () => serveUntilSignal(scheduler.jobs().length));
    // A run thread that dies ends the server (exit 1): nothing would execute its runs.
    await (thread ? Promise.race([serving, thread.ended]) : serving);
  } finally {
    offContracts();
    await rt.streams.stop();
    await arrivals.stop();
    await scheduler.stop();
    // Last: an in-flight micro-batch of a stream needs its run to commit.
    await thread?.stop();
  }
}

/**
 * Samples are for a first look, never for a real store: without `--samples` they land
 * only on the embedded default (SQLite, environment dev). With DATABASE_URL or another
 * environment they are not ingested unless asked for.
 */
export function wantSamples(
  flag: boolean | undefined,
  config: Pick<Config, 'databaseUrl' | 'defaultEnvironment'>,
): boolean {
  if (flag !== undefined) return flag;
  return config.databaseUrl === null && config.defaultEnvironment === 'dev';
}

/** TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH: the first admin key, once (auth/bootstrap.ts). */
/** Start-up is over: /readyz may say ready from now on. */
function started(rt: Runtime, serve: () => Promise<void>): Promise<void> {
  rt.startup.pending = null;
  return serve();
}

/** A start-up step retried while the database is unavailable (TIDEMARK_STARTUP_WAIT_MS). */
function atStartup<T>(rt: Runtime, step: string, fn: () => Promise<T>): Promise<T> {
  rt.startup.pending = step;
  return whileUnavailable(step, fn, { logger: rt.logger, deadlineMs: rt.config.startupWaitMs });
}

async function bootstrapFromConfig(rt: Runtime): Promise<void> {
  const key = rt.config.bootstrapAdminKey;
  if (!key) return;
  const outcome = await atStartup(rt, 'bootstrap admin key', () => bootstrapAdmin(rt, key));
  if (outcome === 'created')
    rt.logger.warn({ keyId: key.id }, 'bootstrap admin key created from TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH');
  else rt.logger.info({ keyId: key.id, outcome }, 'bootstrap admin key not needed');
}

/**
 * A fresh embedded install shows the pipeline at work: when the landing directory
 * is empty, the generated sample files for the example contracts are copied in and
 * the arrival watcher runs them. An existing landing directory is never touched.
 */
async function landSamples(landingDir: string): Promise<void> {
  const samples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'seeds', 'data', 'country_daily');
  if (!existsSync(samples)) return;
  if ((await readdir(landingDir).catch(() => [])).length > 0) return;
  await cp(samples, join(landingDir, 'country_daily'), { recursive: true });
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

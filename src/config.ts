/**
 * The environment, read and checked once at start-up into one typed object. No
 * other module reads process.env: everything below gets what it needs from here.
 */
import { resolve, join } from 'node:path';
import { InputError } from './errors';
import { ENVIRONMENTS, type Environment } from './domain/environment';

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** What `serve` does: `api` answers HTTP and only enqueues runs, `worker` executes them, `all` both. */
export const ROLES = ['api', 'worker', 'all'] as const;
export type Role = (typeof ROLES)[number];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  landingDir: string;
  rawDir: string;
  sqliteFile: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  /**
   * Prefix of the Redis pub/sub channels run-status events travel on, so that several
   * deployments can share one Redis: instances of one deployment must agree on it.
   * Default `tidemark:<database name>:` (or `tidemark:<SQLite file>:`).
   */
  eventsPrefix: string;
  /** TIDEMARK_ONLINE_STORE: where "as of now" reads are answered (`redis`: REDIS_URL; docs/online-store.md). */
  onlineStore: 'sql' | 'redis';
  /** NATS server for `source.type: nats` contracts (JetStream). */
  natsUrl: string | null;
  defaultEnvironment: Environment;
  logLevel: string;
  /** `auto`: human-readable lines on a terminal, JSON lines otherwise; or always `json` / `pretty`. */
  logFormat: LogFormat;
  contractsDir: string;
  /** Who runs CLI commands, for the audit trail. */
  operator: string;
  /** OpenLineage run events: an HTTP endpoint (Marquez /api/v1/lineage) and/or a JSON Lines file. */
  openLineage: { url: string | null; file: string | null; namespace: string };
  /**
   * `auto`: keys required unless listening on loopback; `required`: always;
   * `dev`: anonymous access allowed, refused unless HOST is loopback.
   */
  auth: 'auto' | 'required' | 'dev';
  /** How long a claimed run stays ours without a heartbeat; a dead instance's runs are recovered after it. */
  runLeaseMs: number;
  /** How often each instance looks for orphaned runs and due retries. */
  sweepMs: number;
  /** How long `serve` keeps retrying a database that is unavailable while it starts (0: not at all). */
  startupWaitMs: number;
  /** TIDEMARK_ROLE (or `serve --role`): which half of the work this instance does. */
  role: Role;
  /** How long run events stay in the event log (for resuming subscribers); the sweep prunes older ones. */
  eventsRetentionMs: number;
  /**
   * TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH (`<key id>:<sha256 of its secret>`, made by
   * `tidemark keys bootstrap`): created as an admin key at start when no admin key exists.
   */
  bootstrapAdminKey: { id: string; secretSha256: string } | null;
  /** TIDEMARK_URL and TIDEMARK_API_KEY: the server the CLI's read commands ask instead of the local store. */
  remote: { url: string | null; apiKey: string | null };
  /** TIDEMARK_TRAINING_CACHE_MB: entity rows a bulk training set keeps in memory (docs/training-sets.md). */
  trainingCacheBytes: number;
  /**
   * TIDEMARK_RUN_NICE (0–19, default 10): the CPU nice value `serve` gives its run work
   * (a worker's process, the run thread of role all), so requests come first on a shared
   * machine; 0 leaves it as started.
   */
  runNice: number;
}

/** Variables Tidemark reads. Any other TIDEMARK_* variable is a typo and refused. */
const KNOWN = new Set([
  'TIDEMARK_DATA_DIR',
  'TIDEMARK_ENV',
  'TIDEMARK_LOG_LEVEL',
  'TIDEMARK_LOG_FORMAT',
  'TIDEMARK_CONTRACTS_DIR',
  'TIDEMARK_OPENLINEAGE_FILE',
  'TIDEMARK_OPENLINEAGE_NAMESPACE',
  'TIDEMARK_AUTH',
  'TIDEMARK_RUN_LEASE_MS',
  'TIDEMARK_SWEEP_MS',
  'TIDEMARK_STARTUP_WAIT_MS',
  'TIDEMARK_ROLE',
  'TIDEMARK_EVENTS_RETENTION',
  'TIDEMARK_EVENTS_PREFIX',
  'TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH',
  'TIDEMARK_URL',
  'TIDEMARK_API_KEY',
  'TIDEMARK_ONLINE_STORE',
  'TIDEMARK_TRAINING_CACHE_MB',
  'TIDEMARK_RUN_NICE',
]);
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const unknown = Object.keys(env).filter((k) => k.startsWith('TIDEMARK_') && !KNOWN.has(k));
  if (unknown.length > 0) {
    throw new InputError(
      `unknown configuration variable(s): ${unknown.join(', ')}; known: ${[...KNOWN].join(', ')}`,
    );
  }
  const dataDir = resolve(env.TIDEMARK_DATA_DIR || './data');
  const databaseUrl = parseUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']);
  const sqliteFile = join(dataDir, 'tidemark.sqlite');
  const redisUrl = parseUrl('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:']);
  return {
    port: parsePort(env.PORT),
    host: env.HOST || '127.0.0.1',
    dataDir,
    landingDir: join(dataDir, 'landing'),
    rawDir: join(dataDir, 'raw'),
    sqliteFile,
    databaseUrl,
    redisUrl,
    onlineStore: parseOnlineStore(env.TIDEMARK_ONLINE_STORE || 'sql', redisUrl),
    eventsPrefix: parseEventsPrefix(env.TIDEMARK_EVENTS_PREFIX, databaseUrl, sqliteFile),
    natsUrl: parseUrl('NATS_URL', env.NATS_URL, ['nats:', 'tls:']),
    defaultEnvironment: parseEnvironment(env.TIDEMARK_ENV || 'dev', 'TIDEMARK_ENV'),
    logLevel: parseLogLevel(env.TIDEMARK_LOG_LEVEL || 'info'),
    logFormat: parseLogFormat(env.TIDEMARK_LOG_FORMAT || 'auto'),
    contractsDir: resolve(env.TIDEMARK_CONTRACTS_DIR || './contracts'),
    operator: `cli:${env.USER || env.LOGNAME || 'unknown'}`,
    remote: { url: env.TIDEMARK_URL || null, apiKey: env.TIDEMARK_API_KEY || null },
    openLineage: {
      url: parseUrl('OPENLINEAGE_URL', env.OPENLINEAGE_URL, ['http:', 'https:']),
      file: env.TIDEMARK_OPENLINEAGE_FILE ? resolve(env.TIDEMARK_OPENLINEAGE_FILE) : null,
      namespace: env.TIDEMARK_OPENLINEAGE_NAMESPACE || 'tidemark',
    },
    auth: parseAuth(env.TIDEMARK_AUTH || 'auto'),
    runLeaseMs: parseMs('TIDEMARK_RUN_LEASE_MS', env.TIDEMARK_RUN_LEASE_MS, 60_000),
    sweepMs: parseMs('TIDEMARK_SWEEP_MS', env.TIDEMARK_SWEEP_MS, 30_000),
    startupWaitMs:
      env.TIDEMARK_STARTUP_WAIT_MS?.trim() === '0'
        ? 0
        : parseMs('TIDEMARK_STARTUP_WAIT_MS', env.TIDEMARK_STARTUP_WAIT_MS, 60_000),
    role: parseRole(env.TIDEMARK_ROLE || 'all', 'TIDEMARK_ROLE'),
    eventsRetentionMs: parseDuration('TIDEMARK_EVENTS_RETENTION', env.TIDEMARK_EVENTS_RETENTION || 'P7D'),
    bootstrapAdminKey: parseBootstrapKey(env.TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH),
    trainingCacheBytes: parseMegabytes('TIDEMARK_TRAINING_CACHE_MB', env.TIDEMARK_TRAINING_CACHE_MB, 256),
    runNice: parseNice(env.TIDEMARK_RUN_NICE),
  };
}

function parseNice(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return 10;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 19)
    throw new InputError(
      `TIDEMARK_RUN_NICE must be a whole number 0..19 (0: runs keep the priority they started with), got '${v}'`,
    );
  return n;
}

function parseLogFormat(v: string): LogFormat {
  if (!(LOG_FORMATS as readonly string[]).includes(v))
    throw new InputError(`TIDEMARK_LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}; got '${v}'`);
  return v as LogFormat;
}

function parseOnlineStore(v: string, redisUrl: string | null): Config['onlineStore'] {
  if (v !== 'sql' && v !== 'redis')
    throw new InputError(`TIDEMARK_ONLINE_STORE must be sql or redis; got '${v}'`);
  if (v === 'redis' && !redisUrl)
    throw new InputError('TIDEMARK_ONLINE_STORE=redis needs REDIS_URL (redis://host:port)');
  return v;
}

function parsePort(v: string | undefined): number {
  if (!v) return 4000;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InputError(`PORT must be an integer 0..65535, got '${v}'`);
  return n;
}

function parseUrl(name: string, v: string | undefined, protocols: string[]): string | null {
  if (!v) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new InputError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new InputError(`${name} must start with ${protocols.map((p) => p + '//').join(' or ')}`);
  }
  return v;
}

export function parseEnvironment(v: string, where = 'environment'): Environment {
  if (!(ENVIRONMENTS as readonly string[]).includes(v)) {
    throw new InputError(`${where} must be one of ${ENVIRONMENTS.join(', ')}; got '${v}'`);
  }
  return v as Environment;
}

/** An ISO 8601 duration of days, hours, minutes and seconds (P7D, PT12H, P1DT6H), in ms. */
export function parseDuration(name: string, v: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(v);
  const ms = m
    ? ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 +
      Number(m[4] ?? 0) * 1000
    : 0;
  if (!m || ms <= 0 || v.endsWith('T'))
    throw new InputError(`${name} must be an ISO 8601 duration such as P7D or PT12H, got '${v}'`);
  return ms;
}

function parseMs(name: string, v: string | undefined, fallback: number): number {
  if (!v) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100)
    throw new InputError(`${name} must be a whole number of milliseconds >= 100, got '${v}'`);
  return n;
}

function parseMegabytes(name: string, v: string | undefined, fallback: number): number {
  const n = v === undefined || v.trim() === '' ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InputError(`${name} must be a whole number of megabytes >= 0, got '${v}'`);
  return n * 1024 * 1024;
}

/** Explicit, or one deployment's default: its PostgreSQL database name, or its SQLite file. */
function parseEventsPrefix(v: string | undefined, databaseUrl: string | null, sqliteFile: string): string {
  if (v !== undefined && v !== '') {
    if (v.length > 200 || !/^[\x21-\x7e]+$/.test(v))
      throw new InputError(
        'TIDEMARK_EVENTS_PREFIX must be at most 200 printable ASCII characters, without spaces',
      );
    return v;
  }
  if (!databaseUrl) return `tidemark:${sqliteFile}:`;
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
  return `tidemark:${name}:`;
}

/** `<12-character key id>:<64 hex digits>`; unset or empty: none. */
function parseBootstrapKey(v: string | undefined): Config['bootstrapAdminKey'] {
  if (!v) return null;
  const m = /^([a-z0-9]{12}):([0-9a-f]{64})$/.exec(v.trim());
  if (!m)
    throw new InputError(
      'TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH must be <key id>:<sha256 of the secret> as printed by `tidemark keys bootstrap`',
    );
  return { id: m[1]!, secretSha256: m[2]! };
}

export function parseRole(v: string, where = 'role'): Role {
  if (!(ROLES as readonly string[]).includes(v))
    throw new InputError(`${where} must be one of ${ROLES.join(', ')}; got '${v}'`);
  return v as Role;
}

function parseAuth(v: string): Config['auth'] {
  if (v !== 'auto' && v !== 'required' && v !== 'dev')
    throw new InputError(`TIDEMARK_AUTH must be auto, required or dev; got '${v}'`);
  return v;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function parseLogLevel(v: string): string {
  if (!LOG_LEVELS.includes(v))
    throw new InputError(`TIDEMARK_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return v;
}

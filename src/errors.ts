/**
 * Every error Tidemark raises on purpose. Errors know nothing of HTTP or GraphQL:
 * `src/graphql/error-format.ts` maps them to `extensions.code` in one place, and the
 * CLI maps them to exit codes. A database that cannot be reached is recognised by
 * `asUnavailable` (UNAVAILABLE), a full disk by `asStorageFull` (INSUFFICIENT_STORAGE);
 * anything else that is not a TidemarkError is a bug and is reported as INTERNAL.
 */

/** A place inside a file: used to point at the exact spot of a contract error. */
export interface SourceLocation {
  file: string;
  /** JSON-pointer-like path inside the document, e.g. `/schema/2/type`. */
  path: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
}

export interface Issue extends SourceLocation {
  message: string;
}

export abstract class TidemarkError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'VALIDATION_FAILED'
  | 'UNAVAILABLE'
  | 'RATE_LIMITED'
  | 'INSUFFICIENT_STORAGE'
  | 'INTERNAL';

/** The caller sent something malformed. */
export class InputError extends TidemarkError {
  readonly code = 'BAD_USER_INPUT' as const;
}

export class NotFoundError extends TidemarkError {
  readonly code = 'NOT_FOUND' as const;
}

/** The request is well-formed but clashes with what is stored (e.g. an immutable version). */
export class ConflictError extends TidemarkError {
  readonly code = 'CONFLICT' as const;
}

export class ForbiddenError extends TidemarkError {
  readonly code = 'FORBIDDEN' as const;
}

export class UnauthenticatedError extends TidemarkError {
  readonly code = 'UNAUTHENTICATED' as const;
}

/** Too many attempts (e.g. failed authentications): the caller must wait `retryAfterMs`. */
export class RateLimitedError extends TidemarkError {
  readonly code = 'RATE_LIMITED' as const;
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }

  /** Whole seconds, at least 1: the HTTP Retry-After value. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

/**
 * A dependency (the database) cannot be reached or is too busy right now: nothing is
 * wrong with the request or with Tidemark, and the same call may succeed later.
 */
export class UnavailableError extends TidemarkError {
  readonly code = 'UNAVAILABLE' as const;
}

/**
 * The disk under the store is full (the database cannot grow, or the data directory
 * cannot take a raw batch): nothing is wrong with the request, but retrying at once
 * cannot help either; space comes back when someone frees it.
 */
export class StorageFullError extends TidemarkError {
  readonly code = 'INSUFFICIENT_STORAGE' as const;
}

/**
 * One or more contract documents are invalid. Carries every issue found, each with
 * file, path, line and column, so a reviewer can fix them all in one pass.
 */
export class ContractValidationError extends TidemarkError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(readonly issues: Issue[]) {
    super(formatIssues(issues), { issues });
  }
}

/** Data broke a blocking (`fail`) expectation, or a promotion policy did not hold. */
export class ContractViolationError extends TidemarkError {
  readonly code = 'VALIDATION_FAILED' as const;
}

export function formatIssue(i: Issue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
  return `${where} ${i.path || '/'}: ${i.message}`;
}

export function formatIssues(issues: Issue[]): string {
  if (issues.length === 1) return formatIssue(issues[0]!);
  return `${issues.length} problems:\n` + issues.map((i) => '  ' + formatIssue(i)).join('\n');
}

/**
 * Node socket errors that mean the database host cannot be reached or went away
 * (as `err.code`, on connect or on a live connection).
 */
const UNREACHABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": class 08 (connection
 * exception), the server shutting down or starting up (57P01–57P03), too many connections.
 */
function sqlstateReason(code: string): string | null {
  if (/^08[0-9A-Z]{3}$/.test(code)) return `connection exception, SQLSTATE ${code}`;
  if (code === '57P01' || code === '57P02') return `the server terminated the connection, SQLSTATE ${code}`;
  if (code === '57P03') return 'the server is starting up or shutting down, SQLSTATE 57P03';
  if (code === '53300') return 'too many connections, SQLSTATE 53300';
  return null;
}

/** SQLite: another writer holds the file (busy, locked) or the file cannot be opened. */
const SQLITE_UNAVAILABLE: Record<string, string> = {
  SQLITE_BUSY: 'the database is busy',
  SQLITE_LOCKED: 'the database is busy',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
};

/**
 * The driver and pool messages that mean the connection is gone or never came: pg's
 * own (no code on them), pg-pool's and knex's pool timeout. knex prefixes a failed
 * query's message with its SQL and " - ", so they are matched at the end only (the
 * SQL, with its bindings, is never what decides).
 */
const UNREACHABLE_MESSAGES: Array<[RegExp, string]> = [
  [/(^|\s-\s)Connection terminated( unexpectedly| due to connection timeout)?$/, 'connection terminated'],
  [/(^|\s-\s)Query read timeout$/, 'query timed out'],
  [/(^|\s-\s)timeout exceeded when trying to connect$/, 'connect timed out'],
  // pg's own connect timeout (connectionTimeoutMillis) destroys the socket with this.
  [/(^|\s-\s)timeout expired$/, 'connect timed out'],
  [
    /(^|\s-\s)Client (has encountered a connection error|was closed) and is not queryable$/,
    'connection lost',
  ],
  [/Knex: Timeout acquiring a connection\b/, 'no database connection free within the pool timeout'],
];

/**
 * When `err` says the database is unreachable or busy (connection refused, reset or
 * cut, connect/query/pool timeouts, PostgreSQL shutting down, SQLite busy), the same
 * error as an `UnavailableError` with a message a caller can act on; otherwise null.
 * Looks through `cause`, GraphQL's `originalError` and AggregateError's `errors` (a
 * connect to a name with several addresses fails with all of them).
 */
export function asUnavailable(err: unknown): UnavailableError | null {
  if (err instanceof UnavailableError) return err;
  const reason = unavailableReason(err, 0);
  if (!reason) return null;
  const what = reason.startsWith('the database is busy') ? reason : `the database is unreachable (${reason})`;
  const e = new UnavailableError(`${what}; retry later`, { reason });
  e.cause = err;
  return e;
}

function unavailableReason(err: unknown, depth: number): string | null {
  if (depth > 5 || typeof err !== 'object' || err === null) return null;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNREACHABLE_SOCKET_CODES.has(code)) return code;
    if (Object.hasOwn(SQLITE_UNAVAILABLE, code)) return SQLITE_UNAVAILABLE[code]!;
    const sqlstate = sqlstateReason(code);
    if (sqlstate) return sqlstate;
  }
  if (typeof message === 'string') {
    for (const [pattern, reason] of UNREACHABLE_MESSAGES) if (pattern.test(message)) return reason;
  }
  for (const inner of [
    (err as { cause?: unknown }).cause,
    (err as { originalError?: unknown }).originalError,
    ...((err as { errors?: unknown }).errors instanceof Array ? (err as { errors: unknown[] }).errors : []),
  ]) {
    const r = unavailableReason(inner, depth + 1);
    if (r) return r;
  }
  return null;
}

/**
 * What a full disk looks like to each layer, as `err.code`: SQLite's SQLITE_FULL (the
 * file system is full, or the database reached its max_page_count), PostgreSQL's
 * SQLSTATE 53100 disk_full ("could not extend file …: No space left on device"), and
 * Node's own ENOSPC / EDQUOT when a raw batch is written to the data directory.
 */
const STORAGE_FULL_CODES: Record<string, { where: 'database' | 'files'; what: string }> = {
  SQLITE_FULL: { where: 'database', what: 'SQLITE_FULL' },
  '53100': { where: 'database', what: 'SQLSTATE 53100' },
  ENOSPC: { where: 'files', what: 'ENOSPC' },
  EDQUOT: { where: 'files', what: 'EDQUOT, disk quota exceeded' },
};

/**
 * The same said in words, for an error that lost its code on the way (a wrapper). knex
 * puts the failed SQL, bindings included, in front of the driver's message: matched at
 * the end only, so a stored value can never decide.
 */
const STORAGE_FULL_MESSAGES: Array<[RegExp, { where: 'database' | 'files'; what: string }]> = [
  [
    /(^|\s-\s)could not (extend|write to) file "[^"]*": No space left on device$/,
    { where: 'database', what: 'could not extend file' },
  ],
  [/(^|\s-\s)SQLITE_FULL: database or disk is full$/, { where: 'database', what: 'SQLITE_FULL' }],
];

/**
 * When `err` says the disk is full, a `StorageFullError` worded for callers (which
 * store, the code that said so, what to do; never the driver's text, which may hold
 * SQL and paths); otherwise null. Looks through `cause`, `originalError` and `errors`
 * like `asUnavailable`.
 */
export function asStorageFull(err: unknown): StorageFullError | null {
  if (err instanceof StorageFullError) return err;
  const found = storageFullReason(err, 0);
  if (!found) return null;
  const where =
    found.where === 'database' ? 'the database has no space left' : 'no space left in the data directory';
  const e = new StorageFullError(
    `disk full: ${where} (${found.what}); free space on its disk, then retry later`,
    {
      reason: found.what,
      store: found.where,
    },
  );
  e.cause = err;
  return e;
}

function storageFullReason(
  err: unknown,
  depth: number,
): { where: 'database' | 'files'; what: string } | null {
  if (depth > 5 || typeof err !== 'object' || err === null) return null;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && Object.hasOwn(STORAGE_FULL_CODES, code)) return STORAGE_FULL_CODES[code]!;
  if (typeof message === 'string') {
    for (const [pattern, found] of STORAGE_FULL_MESSAGES) if (pattern.test(message)) return found;
  }
  for (const inner of [
    (err as { cause?: unknown }).cause,
    (err as { originalError?: unknown }).originalError,
    ...((err as { errors?: unknown }).errors instanceof Array ? (err as { errors: unknown[] }).errors : []),
  ]) {
    const r = storageFullReason(inner, depth + 1);
    if (r) return r;
  }
  return null;
}

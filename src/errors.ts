/**
 * Every error Tidemark raises on purpose. Errors know nothing of HTTP or GraphQL:
 * `src/graphql/error-format.ts` maps them to `extensions.code` in one place, and the
 * CLI maps them to exit codes. Anything that is not a TidemarkError is a bug and is
 * reported as INTERNAL.
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

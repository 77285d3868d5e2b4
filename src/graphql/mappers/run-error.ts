/**
 * What a failed run's `error` says to every reader. The stored error is whatever the
 * run failed with, and when that is not one of Tidemark's own errors (a driver's
 * "index row requires …", "COMMIT; - SQLITE_FULL …", a stack overflow) it is internal
 * text: readers get a classified, plain message instead, and the text itself stays in
 * the log and in the admin-only `errorDetail`.
 *
 * Kept as stored: `validation` and `input` (Tidemark's own errors, written for the
 * caller: the same words the API answers with), `interrupted` (the dispatcher's own
 * words), `storage` (a full disk, worded by errors.ts asStorageFull: "disk full: …")
 * and an unreachable or busy database (worded by errors.ts asUnavailable).
 */
import type { RunErrorKind } from '../../domain/run';

const OWN_WORDS: ReadonlySet<string> = new Set(['validation', 'input', 'interrupted', 'storage']);
const DATABASE_UNAVAILABLE = /^the database is (unreachable|busy)\b/;

export function publicRunError(error: string | null, kind: RunErrorKind | null): string | null {
  if (error === null) return null;
  if (kind !== null && OWN_WORDS.has(kind)) return error;
  if (DATABASE_UNAVAILABLE.test(error)) return error;
  const what = kind ?? 'unclassified';
  return `internal error (${what}): the run stopped on an error inside Tidemark; the server log and errorDetail (admins) have the details`;
}

/**
 * A strict ISO-8601 duration parser, shared by windows, SLAs, `fresh_within` and
 * training-set TTLs. Calendar units are fixed lengths (Y = 365 days, M = 30 days)
 * because every consumer needs a plain number of milliseconds, not calendar arithmetic.
 */
import { InputError } from '../errors';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds per designator, in the order the format requires them. */
const DATE_UNITS: Array<[string, number]> = [
  ['Y', 365 * DAY],
  ['M', 30 * DAY],
  ['W', 7 * DAY],
  ['D', DAY],
];
const TIME_UNITS: Array<[string, number]> = [
  ['H', HOUR],
  ['M', MINUTE],
  ['S', SECOND],
];

// Integers everywhere; a fraction only on seconds, the one place sub-units are meaningful.
const DURATION_RE =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,3})?)S)?)?$/;

/**
 * Parses `PnYnMnWnDTnHnMnS` (e.g. `P2D`, `PT6H`, `P1W`, `PT0.5S`) into milliseconds.
 * Throws InputError on anything else, including `P`, `PT`, lowercase, signs and spaces.
 */
export function parseIsoDuration(s: string): number {
  const m = typeof s === 'string' ? DURATION_RE.exec(s) : null;
  // The regex accepts a bare "P" or a dangling "T"; both mean nothing.
  if (!m || s === 'P' || s.endsWith('T')) {
    throw new InputError(`'${String(s)}' is not an ISO-8601 duration (e.g. P2D, PT6H, P1W, P1DT12H)`);
  }
  const units = [...DATE_UNITS, ...TIME_UNITS];
  let ms = 0;
  units.forEach(([, size], i) => {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * size;
  });
  if (!Number.isSafeInteger(Math.round(ms))) {
    throw new InputError(`ISO-8601 duration '${s}' is too large`);
  }
  return Math.round(ms);
}

/** The message parseIsoDuration would throw, or undefined when `s` is a valid duration. */
export function isoDurationProblem(s: string): string | undefined {
  try {
    parseIsoDuration(s);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Like isoDurationProblem, but zero is a problem too: a zero-length window, SLA or TTL
 * is always a mistake.
 */
export function positiveDurationProblem(s: string): string | undefined {
  const problem = isoDurationProblem(s);
  if (problem !== undefined) return problem;
  return parseIsoDuration(s) > 0 ? undefined : `duration '${s}' must be longer than zero`;
}

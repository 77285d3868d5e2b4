/**
 * Reading one cell as a contract column type. Shared by cleansing (the hot path)
 * and by entity-key input from GraphQL, so that a key typed by a user and a key read
 * from a file become the same typed value.
 *
 * Rules (strict on purpose: a data contract should refuse what it cannot read exactly):
 * - Strings reach a coercer already trimmed and null-token checked (see cleanse.ts).
 * - integer: text `[+-]?digits` only; "1.5", "1.0", "1e3", "1,000" and "0x10" are
 *   refused. JSON numbers must be integers. Anything beyond ±2^53-1 is refused
 *   because it could not be stored exactly.
 * - number: decimal text with optional exponent; JSON numbers. Finite only
 *   ("NaN", "Infinity", "1e999" are refused; a number beyond ±1.8e308 gets the same
 *   "not a finite number" reason whether it came as text, as JSON or through ingest).
 * - boolean: true/false/1/0/yes/no in any case; JSON booleans and the JSON numbers 1 / 0.
 * - date: `YYYY-MM-DD` (a real calendar day) → UTC midnight in epoch ms. A JSON
 *   number is accepted only when it is already a UTC-midnight epoch ms (that is how
 *   a stored date key comes back).
 * - timestamp: ISO-8601 `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH[:MM]]`, or a
 *   bare date (UTC midnight). No zone means UTC: Tidemark never reads the machine's
 *   zone. Fractions beyond milliseconds are truncated. JSON numbers are accepted as
 *   epoch milliseconds (integers only; seconds are never guessed); numeric text is not.
 * - date and timestamp: only 0001-01-01T00:00:00.000Z..9999-12-31T23:59:59.999Z, the
 *   range both databases and ISO-8601 text can hold; anything outside is refused with
 *   a reason saying so (an epoch of 9007199254740991 once made every read fail).
 * - string: text only; a JSON number or boolean in a string column is refused rather
 *   than stringified, because "01234" would already have lost its zero.
 * Objects and arrays are refused by every type.
 */
import type { ColumnType } from '../domain/contract';
import type { Value } from '../domain/value';

/** Returned instead of a value when the cell cannot be read; a symbol so no real value can clash. */
export const INVALID: unique symbol = Symbol('invalid');
export type Coerced = Value | typeof INVALID;
export type Coercer = (raw: unknown) => Coerced;

const DAY_MS = 86_400_000;
/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in epoch ms. */
export const MIN_TEMPORAL_MS = -62_135_596_800_000;
export const MAX_TEMPORAL_MS = 253_402_300_799_999;
const inTemporalRange = (ms: number): boolean => ms >= MIN_TEMPORAL_MS && ms <= MAX_TEMPORAL_MS;
const INTEGER_RE = /^[+-]?\d+$/;
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['1', true],
  ['0', false],
  ['yes', true],
  ['no', false],
]);

function coerceString(raw: unknown): Coerced {
  return typeof raw === 'string' ? raw : INVALID;
}

function coerceInteger(raw: unknown): Coerced {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : INVALID;
  if (typeof raw !== 'string' || !INTEGER_RE.test(raw)) return INVALID;
  const n = Number(raw);
  return Number.isSafeInteger(n) ? n : INVALID;
}

function coerceNumber(raw: unknown): Coerced {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : INVALID;
  if (typeof raw !== 'string' || !NUMBER_RE.test(raw)) return INVALID;
  const n = Number(raw);
  return Number.isFinite(n) ? n : INVALID;
}

function coerceBoolean(raw: unknown): Coerced {
  if (typeof raw === 'boolean') return raw;
  if (raw === 1 || raw === 0) return raw === 1;
  if (typeof raw !== 'string') return INVALID;
  return BOOLEANS.get(raw.toLowerCase()) ?? INVALID;
}

function coerceDate(raw: unknown): Coerced {
  const ms = unboundedDate(raw);
  return ms === INVALID || inTemporalRange(ms) ? ms : INVALID;
}

function unboundedDate(raw: unknown): number | typeof INVALID {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw % DAY_MS === 0 ? raw : INVALID;
  if (typeof raw !== 'string' || raw.length !== 10 || raw[4] !== '-' || raw[7] !== '-') return INVALID;
  // Read digit by digit: event times are dates in most contracts, and a regex match allocates per row.
  const year = digits(raw, 0, 4);
  const month = digits(raw, 5, 2);
  const day = digits(raw, 8, 2);
  if (year < 0 || month < 0 || day < 0) return INVALID;
  return civilDayMs(year, month, day);
}

/** The number written by `length` ASCII digits at `from`, or -1. */
function digits(s: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function coerceTimestamp(raw: unknown): Coerced {
  const ms = unboundedTimestamp(raw);
  return ms === INVALID || inTemporalRange(ms) ? ms : INVALID;
}

function unboundedTimestamp(raw: unknown): number | typeof INVALID {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : INVALID;
  if (typeof raw !== 'string') return INVALID;
  const fast = utcTimestamp(raw);
  if (fast !== undefined) return fast;
  const m = TIMESTAMP_RE.exec(raw);
  if (!m) return INVALID;
  const day = civilDayMs(Number(m[1]), Number(m[2]), Number(m[3]));
  if (day === INVALID || m[4] === undefined) return day;
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) return INVALID;
  const ms = m[7] === undefined ? 0 : Number((m[7] + '00').slice(0, 3));
  const offset = zoneOffsetMs(m[9], m[10], m[11]);
  if (offset === INVALID) return INVALID;
  return day + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offset;
}

/**
 * The shape most feeds write, `YYYY-MM-DDTHH:MM:SSZ` with or without `.sss`, read digit
 * by digit (the regex match allocates an array of eleven captures per cell). Gives the
 * same value the regex path would; undefined for any other shape, which the regex reads.
 */
function utcTimestamp(s: string): number | typeof INVALID | undefined {
  const n = s.length;
  if (n !== 20 && n !== 24) return undefined;
  const t = s.charCodeAt(10);
  const z = s.charCodeAt(n - 1);
  if (s[4] !== '-' || s[7] !== '-' || s[13] !== ':' || s[16] !== ':') return undefined;
  if ((t !== 84 && t !== 116 && t !== 32) || (z !== 90 && z !== 122)) return undefined; // T t ' ', Z z
  if (n === 24 && s[19] !== '.' && s[19] !== ',') return undefined;
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = n === 24 ? digits(s, 20, 3) : 0;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (hour < 0 || minute < 0 || second < 0 || ms < 0 || year < 0 || month < 0 || day < 0) return undefined;
  const midnight = civilDayMs(year, month, day);
  if (midnight === INVALID || hour > 23 || minute > 59 || second > 59) return INVALID;
  return midnight + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** `+01:00` means local = UTC + 1h, so UTC = local - offset. */
function zoneOffsetMs(
  sign: string | undefined,
  hh: string | undefined,
  mm: string | undefined,
): number | typeof INVALID {
  if (sign === undefined) return 0;
  const hours = Number(hh);
  const minutes = mm === undefined ? 0 : Number(mm);
  if (hours > 23 || minutes > 59) return INVALID;
  const ms = (hours * 60 + minutes) * 60_000;
  return sign === '-' ? -ms : ms;
}

/**
 * Epoch ms of UTC midnight for a proleptic Gregorian day, or INVALID for 2021-02-30.
 * Hand-rolled (days-from-civil) because Date.UTC maps years 0..99 to 1900..1999.
 */
export function civilDayMs(year: number, month: number, day: number): number | typeof INVALID {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return INVALID;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return (era * 146_097 + doe - 719_468) * DAY_MS;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const COERCERS: Record<ColumnType, Coercer> = {
  string: coerceString,
  integer: coerceInteger,
  number: coerceNumber,
  boolean: coerceBoolean,
  date: coerceDate,
  timestamp: coerceTimestamp,
};

/** The coercer for a column type: a shared module-level function, so compiling allocates nothing per row. */
export function coercerFor(type: ColumnType): Coercer {
  return COERCERS[type];
}

/**
 * `cannot read 'abc' as integer`: strings in single quotes, anything else as JSON. Two
 * cases get a reason of their own, worded the same whatever path the value came by:
 * a number beyond the finite range, and a date or timestamp outside 0001..9999.
 */
export function coerceMessage(raw: unknown, type: ColumnType): string {
  // Without the value: 1e309 is Infinity once JSON is parsed, and the text must not differ.
  if (isNonFinite(raw)) return `cannot read a number beyond ±1.8e308 as ${type}: not a finite number`;
  if (type === 'date' || type === 'timestamp') {
    const ms = type === 'date' ? unboundedDate(raw) : unboundedTimestamp(raw);
    if (ms !== INVALID && !inTemporalRange(ms))
      return `cannot read ${describeRaw(raw)} as ${type}: outside 0001-01-01..9999-12-31`;
  }
  return `cannot read ${describeRaw(raw)} as ${type}`;
}

/** ±Infinity or NaN (JSON's 1e309 parses to Infinity), or numeric text that overflows. */
function isNonFinite(raw: unknown): boolean {
  if (typeof raw === 'number') return !Number.isFinite(raw);
  return typeof raw === 'string' && NUMBER_RE.test(raw) && !Number.isFinite(Number(raw));
}

export function describeRaw(raw: unknown): string {
  if (typeof raw === 'string') return `'${raw.length > 80 ? raw.slice(0, 77) + '...' : raw}'`;
  // JSON.stringify would write null; the reason must say what was sent.
  if (typeof raw === 'number' && !Number.isFinite(raw)) return String(raw);
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

/** The GraphQL form of a typed date/timestamp cell: `YYYY-MM-DD` or a full ISO string. */
export function formatTemporal(ms: number, type: 'date' | 'timestamp'): string {
  const iso = new Date(ms).toISOString();
  return type === 'date' ? iso.slice(0, 10) : iso;
}

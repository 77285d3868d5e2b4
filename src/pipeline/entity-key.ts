/**
 * The canonical string form of an entity key. It is stored in the feature table,
 * compared by equality and used as a sort key, so it must be injective and stable.
 *
 * Encoding: JSON of the *cleansed, typed* value for a one-column key (`"US"`, `42`,
 * `true`, or epoch ms for date/timestamp columns) and a JSON array of the typed values
 * in key-column order for a composite key (`["US",1609459200000]`). Because the
 * value is typed by the contract before encoding, a string column always encodes
 * `"1"` and an integer column always encodes `1`: the two never meet in one contract,
 * and even across contracts JSON keeps them apart. JSON.stringify of a finite number
 * is the shortest round-trip form, so the text is the same on every run
 * (and `-0` collapses to `0`, which is right for equality).
 *
 * Sorting compares the encoded strings by UTF-16 code unit: a total, stable order,
 * not a numeric one (`10` sorts before `9`).
 */
import type { ColumnType } from '../contracts/contract.types';
import { InputError } from '../errors';
import { coercerFor, coerceMessage, formatTemporal, INVALID } from './coerce';
import type { Value } from './row.types';

export type EntityKeyJson = string | number | boolean | Record<string, unknown>;

export function encodeEntityKey(keyColumns: string[], values: Record<string, unknown>): string {
  if (keyColumns.length === 1) return encodeScalar(values[keyColumns[0]!]);
  let out = '[';
  for (let i = 0; i < keyColumns.length; i++) {
    if (i > 0) out += ',';
    out += encodeScalar(values[keyColumns[i]!]);
  }
  return out + ']';
}

function encodeScalar(v: unknown): string {
  if (typeof v === 'number') {
    // NaN and Infinity would both encode as "null" and collide; cleansing never yields them.
    if (!Number.isFinite(v)) throw new TypeError(`entity key value ${v} is not finite`);
    return JSON.stringify(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return JSON.stringify(v);
  throw new TypeError(`entity key value of type ${typeof v} cannot be encoded`);
}

/**
 * The GraphQL JSON form: the scalar for a one-column key, `{column: value}` for a
 * composite one. Date and timestamp columns decode to epoch ms unless `columnTypes`
 * is given, in which case they become `YYYY-MM-DD` / ISO strings (which
 * entityKeyFromInput accepts back, so the form round-trips).
 */
export function decodeEntityKey(
  keyColumns: string[],
  encoded: string,
  columnTypes?: Record<string, ColumnType>,
): EntityKeyJson {
  const parsed: unknown = JSON.parse(encoded);
  if (keyColumns.length === 1) return present(parsed, columnTypes?.[keyColumns[0]!]) as EntityKeyJson;
  if (!Array.isArray(parsed) || parsed.length !== keyColumns.length) {
    throw new TypeError(`entity key ${encoded} does not have ${keyColumns.length} parts`);
  }
  const out: Record<string, unknown> = {};
  keyColumns.forEach((col, i) => (out[col] = present(parsed[i], columnTypes?.[col])));
  return out;
}

function present(v: unknown, type: ColumnType | undefined): unknown {
  if (typeof v === 'number' && (type === 'date' || type === 'timestamp')) return formatTemporal(v, type);
  return v;
}

/**
 * Turns a user-supplied key (GraphQL `entities`, `trainingSet` rows, `lineage(entity)`)
 * into the stored form, coercing each part exactly as cleansing would. A one-column
 * key may be given as a scalar or as `{column: value}`; a composite key only as an object.
 * Throws InputError naming what is wrong.
 */
export function entityKeyFromInput(
  keyColumns: string[],
  columnTypes: Record<string, ColumnType>,
  input: unknown,
): string {
  const named = keyColumns.join(', ');
  const parts = asParts(keyColumns, input, named);
  const missing = keyColumns.filter((c) => isMissing(parts[c]));
  if (missing.length > 0) {
    throw new InputError(`entity key needs columns ${named}; missing ${missing.join(', ')}`, { input });
  }
  const typed: Record<string, Value> = {};
  for (const col of keyColumns) typed[col] = coercePart(col, columnTypes[col], parts[col]);
  return encodeEntityKey(keyColumns, typed);
}

function asParts(keyColumns: string[], input: unknown, named: string): Record<string, unknown> {
  const isObject = input !== null && typeof input === 'object' && !Array.isArray(input);
  if (!isObject) {
    if (keyColumns.length === 1) return { [keyColumns[0]!]: input };
    throw new InputError(`entity key needs columns ${named}; give an object {column: value}`, { input });
  }
  const obj = input as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !keyColumns.includes(k));
  if (unknown.length > 0) {
    throw new InputError(`entity key has unknown column(s) ${unknown.join(', ')}; expected ${named}`, {
      input,
    });
  }
  return obj;
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function coercePart(col: string, type: ColumnType | undefined, raw: unknown): Value {
  if (type === undefined) throw new TypeError(`entity key column ${col} has no type`);
  const value = coerceInput(type, raw);
  if (value === INVALID || value === null) {
    throw new InputError(`entity key column ${col}: ${coerceMessage(raw, type)}`, {
      column: col,
      value: raw,
    });
  }
  return value;
}

function coerceInput(type: ColumnType, raw: unknown): Value | typeof INVALID {
  return coercerFor(type)(typeof raw === 'string' ? raw.trim() : raw);
}

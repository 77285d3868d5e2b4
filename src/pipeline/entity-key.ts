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
 * A part of a composite key declared nullable (`entity.nullable`) encodes a null as
 * JSON `null` (`["France",null]`), so null matches null on every read.
 *
 * Sorting compares the encoded strings by UTF-16 code unit: a total, stable order,
 * not a numeric one (`10` sorts before `9`).
 *
 * How a key is read from a row and from a query (one definition for both) is in
 * entity-key-definition.ts; this module is the encoding alone.
 */
import type { ColumnType } from '../domain/contract';
import { formatTemporal } from './coerce';

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
 * the definition's fromInput accepts back, so the form round-trips).
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

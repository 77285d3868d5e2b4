/**
 * The one definition of a contract's entity key, used by the write side (cleansing a
 * row) and by every read (`features`, `trainingSet`, `lineage`, the CLI): what the
 * write side can store, a read can name, and nothing else.
 *
 * - Each key part is read like any cell (cell.ts): trimmed, the contract's null tokens
 *   become null, then coerced to the column's type. With `nullValues: []` an empty
 *   province is the value `""`, stored and found as `""`; with the default tokens it is
 *   null on both sides.
 * - A part is null only when the column is listed in `entity.nullable`; then null
 *   matches null (a query may give `null`, a null token, or leave the part out).
 *   Any other key part that is null is missing: the row is rejected, the read refused.
 * - The encoded key is at most MAX_ENTITY_KEY_BYTES of UTF-8 on every engine (a
 *   PostgreSQL index row cannot hold much more): a longer key rejects its row with
 *   rule `key`, and a read naming one is refused.
 */
import type { ColumnType, Contract } from '../domain/contract';
import { InputError } from '../errors';
import { readCell, nullTokensOf } from './cell';
import { coercerFor, coerceMessage, INVALID } from './coerce';
import { decodeEntityKey, encodeEntityKey, type EntityKeyJson } from './entity-key';
import type { RejectReason } from '../domain/reject';
import type { TypedRow } from '../domain/value';

/** The longest encoded entity key, in UTF-8 bytes (documented in docs/contracts.md). */
export const MAX_ENTITY_KEY_BYTES = 1024;

export interface EntityKeyDefinition {
  readonly columns: string[];
  readonly nullable: ReadonlySet<string>;
  readonly types: Record<string, ColumnType>;
  /** The stored form of a cleansed row's key (its parts already typed). */
  fromValues(values: TypedRow): string;
  /** Why a cleansed row's key cannot be stored (too long), or undefined. */
  problem(values: TypedRow): RejectReason | undefined;
  /** The stored form of a caller's key: a scalar or `{column: value}`. Throws InputError. */
  fromInput(input: unknown): string;
  /** The GraphQL form of a stored key (dates and timestamps as text). */
  decode(encoded: string): EntityKeyJson;
}

const definitions = new WeakMap<Contract, EntityKeyDefinition>();

/** The contract's key definition, built once per contract object. */
export function entityKeyDefinition(contract: Contract): EntityKeyDefinition {
  let def = definitions.get(contract);
  if (!def) definitions.set(contract, (def = build(contract)));
  return def;
}

function build(contract: Contract): EntityKeyDefinition {
  const columns = contract.entity.key;
  const nullable = new Set(contract.entity.nullable ?? []);
  const types: Record<string, ColumnType> = Object.fromEntries(contract.schema.map((c) => [c.name, c.type]));
  const nullTokens = nullTokensOf(contract);
  return {
    columns,
    nullable,
    types,
    fromValues: (values) => encodeEntityKey(columns, values),
    problem: (values) => tooLong(columns, values),
    fromInput: (input) => fromInput(columns, nullable, types, nullTokens, input),
    decode: (encoded) => decodeEntityKey(columns, encoded, types),
  };
}

/**
 * Cheap on the hot path: a JSON string of n UTF-16 units is at most 6n + 2 bytes of
 * UTF-8 and any other part at most 24, so the key is measured only when that bound
 * passes the limit.
 */
function tooLong(columns: string[], values: TypedRow): RejectReason | undefined {
  let bound = columns.length + 1;
  let longest = columns[0]!;
  let longestLength = -1;
  for (const col of columns) {
    const v = values[col];
    if (typeof v !== 'string') bound += 24;
    else {
      bound += 6 * v.length + 2;
      if (v.length > longestLength) [longest, longestLength] = [col, v.length];
    }
  }
  if (bound <= MAX_ENTITY_KEY_BYTES) return undefined;
  const bytes = Buffer.byteLength(encodeEntityKey(columns, values), 'utf8');
  if (bytes <= MAX_ENTITY_KEY_BYTES) return undefined;
  return { rule: 'key', column: longest, message: keyLengthMessage(columns, bytes) };
}

function keyLengthMessage(columns: string[], bytes: number): string {
  return `entity key (${columns.join(', ')}) is ${bytes} bytes encoded; the limit is ${MAX_ENTITY_KEY_BYTES} bytes`;
}

function fromInput(
  columns: string[],
  nullable: ReadonlySet<string>,
  types: Record<string, ColumnType>,
  nullTokens: ReadonlySet<string>,
  input: unknown,
): string {
  const named = columns.join(', ');
  const parts = asParts(columns, input, named);
  const typed: TypedRow = {};
  const missing: string[] = [];
  for (const col of columns) {
    const raw = parts[col];
    // Refused before any work on it: a part this long could never be stored.
    if (typeof raw === 'string' && raw.trim().length > MAX_ENTITY_KEY_BYTES) {
      throw new InputError(`entity key column ${col} is ${raw.length} characters; ${limitNote()}`, {
        column: col,
      });
    }
    const type = types[col];
    if (type === undefined) throw new TypeError(`entity key column ${col} has no type`);
    const value = readCell(raw, coercerFor(type), nullTokens);
    if (value === INVALID) {
      throw new InputError(`entity key column ${col}: ${coerceMessage(raw, type)}`, { column: col });
    }
    if (value === null && !nullable.has(col)) missing.push(col);
    typed[col] = value;
  }
  if (missing.length > 0) throw missingError(named, missing, parts);
  const encoded = encodeEntityKey(columns, typed);
  const bytes = Buffer.byteLength(encoded, 'utf8');
  if (bytes > MAX_ENTITY_KEY_BYTES) throw new InputError(keyLengthMessage(columns, bytes));
  return encoded;
}

function limitNote(): string {
  return `an entity key is at most ${MAX_ENTITY_KEY_BYTES} bytes encoded, so no stored row has it`;
}

function missingError(named: string, missing: string[], parts: Record<string, unknown>): InputError {
  const tokens = missing.filter((c) => typeof parts[c] === 'string').map((c) => `'${String(parts[c])}'`);
  const why =
    tokens.length > 0
      ? ` (${tokens.join(', ')} is one of the contract's nullValues, so it reads as null, and only columns in entity.nullable may be null)`
      : '';
  return new InputError(`entity key needs columns ${named}; missing ${missing.join(', ')}${why}`, {
    missing,
  });
}

function asParts(columns: string[], input: unknown, named: string): Record<string, unknown> {
  const isObject = input !== null && typeof input === 'object' && !Array.isArray(input);
  if (!isObject) {
    if (columns.length === 1) return { [columns[0]!]: input };
    throw new InputError(`entity key needs columns ${named}; give an object {column: value}`);
  }
  const obj = input as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !columns.includes(k));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((k) => (k.length > 64 ? k.slice(0, 61) + '...' : k));
    throw new InputError(`entity key has unknown column(s) ${shown.join(', ')}; expected ${named}`);
  }
  return obj;
}

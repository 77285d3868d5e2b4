/**
 * Column types ↔ ODCS logical and physical types. Tidemark types a column by meaning
 * (its six column types are six of ODCS's nine logical types); the physical type names
 * how a value is held once stored (JSON numbers are 64-bit integers or doubles).
 */
import type { ColumnType } from '../../domain/contract';
import { COLUMN_TYPES } from '../../domain/contract';

export const PHYSICAL_TYPES: Record<ColumnType, string> = {
  string: 'text',
  integer: 'bigint',
  number: 'double',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

export function isColumnType(t: unknown): t is ColumnType {
  return typeof t === 'string' && (COLUMN_TYPES as readonly string[]).includes(t);
}

/**
 * A physical type some database or file format would write (varchar(2), INT, double,
 * bool, timestamptz, ...) read as a Tidemark type, for properties that give no
 * logical type. Undefined when the name says nothing reliable.
 */
export function typeFromPhysical(physical: string): ColumnType | undefined {
  const p = physical
    .trim()
    .toLowerCase()
    .replace(/\(.*\)$/, '')
    .trim();
  if (/^(n?var)?char(acter)?( varying)?$|^(n?text|string|uuid|clob)$/.test(p)) return 'string';
  if (/^(tiny|small|medium|big)?int(eger)?\d*$|^(long|short|byte|serial|bigserial)$/.test(p))
    return 'integer';
  if (/^(float\d*|double( precision)?|real|decimal|numeric|number)$/.test(p)) return 'number';
  if (/^bool(ean)?$/.test(p)) return 'boolean';
  if (p === 'date') return 'date';
  if (/^(timestamp(tz)?|timestamp with(out)? time zone|datetime\d*|timestamp_(ntz|ltz|tz))$/.test(p))
    return 'timestamp';
  return undefined;
}

/**
 * One ODCS schema object (a table) → Tidemark columns and expectations. Every key of a
 * property or rule is either mapped or reported to the ledger with its line.
 */
import type { ColumnSpec, ColumnType, ExpectationSpec } from '../../domain/contract';
import { IDENTIFIER_PATTERN } from '../meta-schema';
import type { ImportLedger } from './import-report';
import { fromRule, type OdcsRule } from './quality';
import { isColumnType, PHYSICAL_TYPES, typeFromPhysical } from './types-map';

type Obj = Record<string, unknown>;

export interface ImportedTable {
  columns: ColumnSpec[];
  /** ODCS pointer of each column's property, by column name. */
  columnPaths: Map<string, string>;
  /** primaryKey properties, ordered by primaryKeyPosition. */
  primaryKey: string[];
  expectations: ExpectationSpec[];
  description?: string;
}

const IDENTIFIER = new RegExp(IDENTIFIER_PATTERN);

/** Keys of a schema object the import uses; any other is reported. */
const TABLE_KEYS = ['name', 'physicalType', 'logicalType', 'properties', 'quality', 'description'];
/** Keys of a property the import uses; any other is reported. */
const PROPERTY_KEYS = [
  'name',
  'logicalType',
  'physicalType',
  'physicalName',
  'description',
  'required',
  'unique',
  'primaryKey',
  'primaryKeyPosition',
  'logicalTypeOptions',
  'quality',
];

export function importTable(table: Obj, at: string, ledger: ImportLedger): ImportedTable {
  const out: ImportedTable = { columns: [], columnPaths: new Map(), primaryKey: [], expectations: [] };
  if (typeof table.description === 'string') out.description = table.description;
  for (const key of Object.keys(table)) {
    if (!TABLE_KEYS.includes(key)) ledger.lose(`${at}/${key}`, notKept(`table ${key}`, table[key]), 'key');
  }
  const keyed: Array<{ name: string; position: number; order: number }> = [];
  const properties = (table.properties ?? []) as Obj[];
  properties.forEach((p, j) => {
    const path = `${at}/properties/${j}`;
    const col = importProperty(p, path, ledger, out);
    if (!col) return;
    if (p.primaryKey === true) {
      const pos =
        typeof p.primaryKeyPosition === 'number' && p.primaryKeyPosition > 0
          ? p.primaryKeyPosition
          : Infinity;
      keyed.push({ name: col.name, position: pos, order: j });
    }
  });
  out.primaryKey = keyed.sort((a, b) => a.position - b.position || a.order - b.order).map((k) => k.name);
  ((table.quality ?? []) as OdcsRule[]).forEach((rule, k) => {
    readRule(rule, `${at}/quality/${k}`, undefined, ledger, out);
  });
  return out;
}

function notKept(what: string, value: unknown): string {
  const shown = JSON.stringify(value);
  const brief = shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
  return `${what} ${brief} has no Tidemark equivalent; not kept`;
}

/** A property name usable in expressions: the name itself, or a snake_case form read `from` it. */
function columnName(name: string): string {
  if (IDENTIFIER.test(name) && name.length <= 63) return name;
  const snake = name
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
    .slice(0, 63);
  return /^[A-Za-z_]/.test(snake) ? snake : `c_${snake}`.slice(0, 63);
}

function importProperty(
  p: Obj,
  path: string,
  ledger: ImportLedger,
  out: ImportedTable,
): ColumnSpec | undefined {
  const odcsName = String(p.name);
  const type = columnType(p, path, ledger);
  if (!type) return undefined;
  const name = columnName(odcsName);
  const col: ColumnSpec = { name, type };
  const index = out.columns.length;
  ledger.from(`/schema/${index}`, path);
  out.columnPaths.set(name, path);
  if (typeof p.physicalName === 'string') col.from = p.physicalName;
  else if (name !== odcsName) {
    col.from = odcsName;
    ledger.note(`column '${odcsName}' is named '${name}' (an identifier) and read from '${odcsName}'`);
  }
  if (typeof p.physicalName === 'string' && name !== odcsName) {
    ledger.lose(
      `${path}/name`,
      `name '${odcsName}' is not an identifier; the column is named '${name}' and read from physicalName '${p.physicalName}'`,
    );
  }
  if (typeof p.description === 'string') col.description = p.description;
  if (typeof p.required === 'boolean') col.required = p.required;
  if (typeof p.unique === 'boolean') col.unique = p.unique;
  const physical = p.physicalType;
  if (typeof physical === 'string' && physical !== PHYSICAL_TYPES[type] && p.logicalType !== undefined) {
    ledger.lose(
      `${path}/physicalType`,
      `physicalType '${physical}' not kept: Tidemark types columns by logical type (${type}, held as ${PHYSICAL_TYPES[type]})`,
    );
  }
  typeOptions(p, col, path, ledger);
  for (const key of Object.keys(p)) {
    if (!PROPERTY_KEYS.includes(key))
      ledger.lose(`${path}/${key}`, notKept(`property ${key}`, p[key]), 'key');
  }
  out.columns.push(col);
  ((p.quality ?? []) as OdcsRule[]).forEach((rule, k) =>
    readRule(rule, `${path}/quality/${k}`, col, ledger, out),
  );
  return col;
}

function columnType(p: Obj, path: string, ledger: ImportLedger): ColumnType | undefined {
  const logical = p.logicalType;
  if (isColumnType(logical)) return logical;
  if (logical === 'time') {
    ledger.lose(
      `${path}/logicalType`,
      `logicalType time: Tidemark has no time-of-day type; column '${String(p.name)}' is read as a string`,
    );
    return 'string';
  }
  if (logical === 'object' || logical === 'array') {
    ledger.lose(
      path,
      `property '${String(p.name)}' (logicalType ${logical}) not imported: Tidemark columns hold one scalar value (string, integer, number, boolean, date, timestamp)`,
    );
    return undefined;
  }
  const physical = typeof p.physicalType === 'string' ? typeFromPhysical(p.physicalType) : undefined;
  if (physical) {
    ledger.note(
      `column '${String(p.name)}' has no logicalType; physicalType '${String(p.physicalType)}' read as ${physical}`,
    );
    return physical;
  }
  ledger.lose(
    path,
    `property '${String(p.name)}' has no logicalType${p.physicalType ? ` and physicalType '${String(p.physicalType)}' names no known type` : ''}; read as a string`,
  );
  return 'string';
}

function typeOptions(p: Obj, col: ColumnSpec, path: string, ledger: ImportLedger): void {
  const options = (p.logicalTypeOptions ?? {}) as Obj;
  const at = `${path}/logicalTypeOptions`;
  const lose = (key: string, why: string) =>
    ledger.lose(`${at}/${key}`, `${key} ${JSON.stringify(options[key])} not kept: ${why}`, 'key');
  const isString = col.type === 'string' && p.logicalType !== 'time';
  const numeric = col.type === 'integer' || col.type === 'number';
  for (const key of Object.keys(options)) {
    const v = options[key];
    if (isString && (key === 'minLength' || key === 'maxLength' || key === 'pattern'))
      (col as unknown as Obj)[key] = v;
    else if (numeric && (key === 'minimum' || key === 'maximum')) (col as unknown as Obj)[key] = v;
    else if (col.type === 'integer' && key === 'exclusiveMinimum' && typeof v === 'number') {
      col.minimum = Math.floor(v) + 1; // the next whole number: the same set of integers
    } else if (col.type === 'integer' && key === 'exclusiveMaximum' && typeof v === 'number') {
      col.maximum = Math.ceil(v) - 1;
    } else if (key === 'format') lose(key, 'Tidemark reads values by their type, not by a declared format');
    else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum')
      lose(key, `Tidemark bounds ${col.type} columns inclusively`);
    else lose(key, `Tidemark has no ${key} for ${p.logicalType === 'time' ? 'time' : col.type} columns`);
  }
}

function readRule(
  rule: OdcsRule,
  path: string,
  col: ColumnSpec | undefined,
  ledger: ImportLedger,
  out: ImportedTable,
): void {
  const reading = fromRule(rule, { column: col?.name });
  if (reading.kind === 'unmapped') {
    ledger.lose(path, `quality rule not imported: ${reading.reason}`);
    return;
  }
  for (const l of reading.lost) ledger.lose(`${path}/${l.key}`, l.message, 'key');
  if (reading.kind === 'enum') {
    col!.enum = reading.values;
    ledger.from(`/schema/${out.columns.indexOf(col!)}/enum`, path);
    return;
  }
  ledger.from(`/expectations/${out.expectations.length}`, path);
  out.expectations.push(reading.expectation);
}

/**
 * Rules for the column schema. A consumer reads columns by name and relies on their
 * type and constraints, so anything that can turn a once-valid row invalid, or a
 * value into a different kind of value, is breaking; anything that only admits more
 * is additive.
 */
import type { ColumnSpec, Contract } from '../../domain/contract';
import { change, type ContractChange, ptr, same, setMinus, show, unrecognizedChanges } from './change';
import { matchByKey } from './match';

const KNOWN_KEYS = [
  'name',
  'type',
  'description',
  'required',
  'unique',
  'enum',
  'minimum',
  'maximum',
  'pattern',
  'minLength',
  'maxLength',
  'from',
] as const;

/** Numeric bounds and which direction tightens them. Absent means unbounded. */
const BOUNDS: Array<{
  key: 'minimum' | 'maximum' | 'minLength' | 'maxLength';
  tighterWhen: 'higher' | 'lower';
}> = [
  { key: 'minimum', tighterWhen: 'higher' },
  { key: 'maximum', tighterWhen: 'lower' },
  { key: 'minLength', tighterWhen: 'higher' },
  { key: 'maxLength', tighterWhen: 'lower' },
];

export function diffSchema(base: Contract, head: Contract): ContractChange[] {
  const m = matchByKey(base.schema, head.schema, (c) => c.name);
  const out: ContractChange[] = [];
  for (const c of m.removed) {
    out.push(change('column.removed', 'breaking', ptr('schema', c.name), `column '${c.name}' removed`, c));
  }
  for (const c of m.added) out.push(addedColumn(c));
  for (const p of m.pairs) out.push(...diffColumn(p.base, p.head));
  if (m.reordered) out.push(reordered(base, head));
  return out;
}

function addedColumn(c: ColumnSpec): ContractChange {
  const path = ptr('schema', c.name);
  // Rows that were valid before have no value for it: requiring one rejects them.
  if (c.required) {
    return change(
      'column.added_required',
      'breaking',
      path,
      `required column '${c.name}' added`,
      undefined,
      c,
    );
  }
  return change('column.added', 'additive', path, `optional column '${c.name}' added`, undefined, c);
}

/** Columns of a headerless CSV are read by position, so there the order is the mapping. */
function reordered(base: Contract, head: Contract): ContractChange {
  const before = base.schema.map((c) => c.name);
  const after = head.schema.map((c) => c.name);
  const positional = head.source.type === 'csv' && head.source.header === false;
  const msg = positional
    ? 'columns reordered in a headerless CSV source: values are read by position, so columns swap data'
    : 'columns reordered';
  return change('schema.reordered', positional ? 'breaking' : 'cosmetic', ptr('schema'), msg, before, after);
}

export function diffColumn(b: ColumnSpec, h: ColumnSpec): ContractChange[] {
  const path = ptr('schema', h.name);
  const out: ContractChange[] = [
    ...typeChange(b, h, path),
    ...requiredChange(b, h, path),
    ...BOUNDS.flatMap((bound) => boundChange(b, h, path, bound.key, bound.tighterWhen)),
    ...patternChange(b, h, path),
    ...enumChanges(b, h, path),
    ...uniqueChange(b, h, path),
  ];
  if (b.from !== h.from) {
    // Reading another source field fills the same column with different data.
    const msg = `column '${h.name}' now read from ${show(h.from ?? h.name)} instead of ${show(b.from ?? b.name)}`;
    out.push(change('column.from_changed', 'breaking', `${path}/from`, msg, b.from, h.from));
  }
  if (b.description !== h.description) {
    const msg = `column '${h.name}' description changed`;
    out.push(
      change(
        'column.description_changed',
        'cosmetic',
        `${path}/description`,
        msg,
        b.description,
        h.description,
      ),
    );
  }
  out.push(...unrecognizedChanges(b, h, KNOWN_KEYS, path));
  return out;
}

function typeChange(b: ColumnSpec, h: ColumnSpec, path: string): ContractChange[] {
  if (b.type === h.type) return [];
  const msg = `column '${h.name}' type changed ${b.type} → ${h.type}`;
  // Every integer is a number, yet a typed consumer (a GraphQL Int, an integer column of
  // a training set, a model's input schema) reading 2.5 where it was promised an integer
  // breaks, so widening is breaking too; it keeps its own rule so a reviewer sees why.
  if (b.type === 'integer' && h.type === 'number') {
    const widened = `${msg}: values may now have a fraction, which typed consumers of an integer cannot read`;
    return [change('column.type_widened', 'breaking', `${path}/type`, widened, b.type, h.type)];
  }
  return [change('column.type_changed', 'breaking', `${path}/type`, msg, b.type, h.type)];
}

function requiredChange(b: ColumnSpec, h: ColumnSpec, path: string): ContractChange[] {
  if (Boolean(b.required) === Boolean(h.required)) return [];
  if (h.required) {
    const msg = `column '${h.name}' is now required`;
    return [change('column.required_added', 'breaking', `${path}/required`, msg, b.required, h.required)];
  }
  const msg = `column '${h.name}' is no longer required`;
  return [change('column.required_removed', 'additive', `${path}/required`, msg, b.required, h.required)];
}

function boundChange(
  b: ColumnSpec,
  h: ColumnSpec,
  path: string,
  key: (typeof BOUNDS)[number]['key'],
  tighterWhen: 'higher' | 'lower',
): ContractChange[] {
  const before = b[key];
  const after = h[key];
  if (before === after) return [];
  const unbounded = tighterWhen === 'higher' ? -Infinity : Infinity;
  const higher = (after ?? unbounded) > (before ?? unbounded);
  const tightened = higher === (tighterWhen === 'higher');
  const what =
    before === undefined
      ? `${key} ${show(after)} added`
      : after === undefined
        ? `${key} ${show(before)} removed`
        : `${key} ${higher ? 'raised' : 'lowered'} ${before} → ${after}`;
  return [constraint(tightened, h.name, `${path}/${key}`, what, before, after)];
}

function constraint(
  tightened: boolean,
  col: string,
  path: string,
  what: string,
  before: unknown,
  after: unknown,
) {
  const rule = tightened ? 'column.constraint_tightened' : 'column.constraint_loosened';
  return change(rule, tightened ? 'breaking' : 'additive', path, `column '${col}' ${what}`, before, after);
}

/** A regex cannot be compared for inclusion, so any new or different pattern may reject old values. */
function patternChange(b: ColumnSpec, h: ColumnSpec, path: string): ContractChange[] {
  if (b.pattern === h.pattern) return [];
  const what =
    b.pattern === undefined
      ? `pattern ${show(h.pattern)} added`
      : h.pattern === undefined
        ? `pattern ${show(b.pattern)} removed`
        : `pattern changed ${b.pattern} → ${h.pattern}`;
  return [constraint(h.pattern !== undefined, h.name, `${path}/pattern`, what, b.pattern, h.pattern)];
}

function enumChanges(b: ColumnSpec, h: ColumnSpec, path: string): ContractChange[] {
  const where = `${path}/enum`;
  if (same(b.enum, h.enum)) return [];
  if (b.enum === undefined)
    return [constraint(true, h.name, where, `enum ${show(h.enum)} added`, b.enum, h.enum)];
  if (h.enum === undefined)
    return [constraint(false, h.name, where, `enum ${show(b.enum)} removed`, b.enum, h.enum)];
  const removed = setMinus(b.enum, h.enum);
  const added = setMinus(h.enum, b.enum);
  const out: ContractChange[] = [];
  if (removed.length > 0)
    out.push(constraint(true, h.name, where, `enum values removed: ${show(removed)}`, removed, undefined));
  if (added.length > 0)
    out.push(constraint(false, h.name, where, `enum values added: ${show(added)}`, undefined, added));
  if (out.length === 0) {
    out.push(
      change(
        'column.enum_reordered',
        'cosmetic',
        where,
        `column '${h.name}' enum values reordered`,
        b.enum,
        h.enum,
      ),
    );
  }
  return out;
}

function uniqueChange(b: ColumnSpec, h: ColumnSpec, path: string): ContractChange[] {
  if (Boolean(b.unique) === Boolean(h.unique)) return [];
  const what = h.unique ? 'is now unique' : 'is no longer unique';
  return [constraint(Boolean(h.unique), h.name, `${path}/unique`, what, b.unique, h.unique)];
}

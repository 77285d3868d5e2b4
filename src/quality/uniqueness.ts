/**
 * unique and compound_unique: table expectations that can still point at rows. In a
 * group of duplicates the first row (in batch order) is expected and every later one is
 * unexpected, so with severity `reject` one row of each group survives. `mostly` applies.
 */
import type { Value } from '../domain/value';
import type { CleanRows } from '../domain/clean-rows';
import type { TableCheck, TableInput, TableOutcome } from './checks.types';
import type { CompileEnv } from './compile-env';
import { mostlyHolds } from './mostly';
import { Tally } from './tally';

/** Reads one row's key from the batch: made once per batch, called per row. */
type KeyOf = (rows: CleanRows) => (i: number) => unknown;

/** Remembers keys seen so far; `add` returns false when the key was already there. */
interface Seen {
  add(i: number, key: unknown): boolean;
}

function seenSet(): Seen {
  const set = new Set<unknown>();
  return {
    add: (_i, key) => set.size !== set.add(key).size,
  };
}

/**
 * The default compound key (entity, event time), found on the batch's entity order
 * (rows grouped by entity, each group by event time; shared with the sequence checks):
 * duplicates are neighbours there, so no key is built, hashed or kept per row. Of each
 * group of equal times the row first in batch order is the expected one.
 */
function seenByEntity(input: TableInput): Seen {
  const { rows } = input;
  const order = input.entityOrder();
  const duplicate = new Uint8Array(rows.length);
  for (let k = 0; k < order.length;) {
    const id = rows.entityId(order[k]!);
    const time = rows.eventTime(order[k]!);
    let end = k + 1;
    let first = order[k]!;
    while (end < order.length && rows.entityId(order[end]!) === id && rows.eventTime(order[end]!) === time) {
      first = Math.min(first, order[end]!);
      end++;
    }
    for (let j = k; j < end; j++) if (order[j] !== first) duplicate[order[j]!] = 1;
    k = end;
  }
  return { add: (i) => duplicate[i] === 0 };
}

interface KeySpec {
  columns: string[];
  /** The row's key, or null to skip the row (a null cell; an all-null compound). */
  keyOf: KeyOf;
  /** What the sample and reject reasons show for a duplicate. */
  valueOf: (rows: CleanRows, i: number) => unknown;
  makeSeen: (input: TableInput) => Seen;
  /** True when the columns were not written in the contract, so the report names them. */
  defaulted: boolean;
}

function uniquenessCheck(env: CompileEnv, k: KeySpec): TableCheck {
  const spec = env.spec;
  const message = `duplicate ${k.columns.join(', ')}`;
  return {
    kind: 'table',
    spec,
    failsRun: spec.severity === 'fail',
    rejectsRows: true,
    message,
    evaluate(input: TableInput): TableOutcome {
      const { rows, sink } = input;
      const rejects = sink && spec.severity === 'reject';
      const tally = new Tally(rejects ? { sink, rule: spec.expect, column: spec.column, message } : null);
      const seen = k.makeSeen(input);
      const keyOf = k.keyOf(rows);
      for (let i = 0; i < rows.length; i++) {
        const key = keyOf(i);
        if (key === null) continue;
        tally.elementCount++;
        if (!seen.add(i, key)) tally.miss(i, rows.rowNumber(i), k.valueOf(rows, i), rows.rawBatchId(i));
      }
      const outcome: TableOutcome = {
        success: mostlyHolds(tally.unexpectedCount, tally.elementCount, spec.mostly),
        elementCount: tally.elementCount,
        unexpectedCount: tally.unexpectedCount,
        sample: tally.sample,
      };
      if (k.defaulted) outcome.columns = k.columns;
      return outcome;
    },
  };
}

export function unique(env: CompileEnv): TableCheck {
  const col = env.column();
  return uniquenessCheck(env, {
    columns: [col],
    keyOf: (rows) => rows.column(col),
    valueOf: (rows, i) => rows.column(col)(i),
    makeSeen: seenSet,
    defaulted: false,
  });
}

/**
 * A composite key as one string: each cell tagged with its type so 1 and "1" differ,
 * joined by a separator that cleansed text will not contain. Rows whose cells are all
 * null are skipped, like GE's default `ignore_row_if: all_values_are_missing`.
 */
function compositeKey(columns: string[]): KeyOf {
  return (rows) => {
    const cells = columns.map((c) => rows.column(c));
    return (i) => {
      let key = '';
      let allNull = true;
      for (const cell of cells) {
        const v = cell(i);
        if (v !== null) allNull = false;
        key += (v === null ? 'n' : (typeof v)[0]! + String(v)) + '\u001f';
      }
      return allNull ? null : key;
    };
  };
}

function cellsOf(columns: string[]) {
  return (rows: CleanRows, i: number): Record<string, Value> => {
    const out: Record<string, Value> = {};
    for (const c of columns) out[c] = rows.column(c)(i);
    return out;
  };
}

/**
 * Without `columns`, the key is the contract's entity key plus its event time: one row
 * per entity per instant, the identity of a feature row. That key, given or defaulted,
 * is read from each row's already-canonical entity and event time instead of rebuilt.
 */
export function compoundUnique(env: CompileEnv): TableCheck {
  const explicit = env.spec.columns;
  const { entity, eventTime } = env.contract;
  const identity = [...entity.key, eventTime];
  if (explicit) explicit.forEach((c) => env.checkColumn(c));
  // Every row takes part (entity key and event time are never null after cleansing);
  // seenByEntity reads them from the row, so the key itself is unused.
  const byIdentity: Pick<KeySpec, 'keyOf' | 'makeSeen'> = { keyOf: () => () => true, makeSeen: seenByEntity };
  if (explicit && !sameColumns(explicit, identity)) {
    return uniquenessCheck(env, {
      columns: explicit,
      keyOf: compositeKey(explicit),
      valueOf: cellsOf(explicit),
      makeSeen: seenSet,
      defaulted: false,
    });
  }
  // The columns written out as the entity key plus the event time are the same key.
  const columns = explicit ?? identity;
  return uniquenessCheck(env, { ...byIdentity, columns, valueOf: cellsOf(columns), defaulted: !explicit });
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === a.length && a.length === b.length && b.every((c) => set.has(c));
}

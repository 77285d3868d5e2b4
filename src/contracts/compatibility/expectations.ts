/**
 * Rules for quality expectations. An expectation affects consumers only through what
 * it blocks: `reject` drops rows, `fail` drops whole batches, `warn` drops nothing.
 * So a change is breaking when it can block data that passed before (added or
 * tightened while blocking, or severity raised), and additive otherwise. Tightening a
 * warn-only expectation blocks nothing, hence additive, like adding one.
 */
import type { Contract, ExpectationSpec, Severity } from '../../domain/contract';
import {
  change,
  type ChangeClass,
  type ContractChange,
  ptr,
  same,
  setMinus,
  show,
  unrecognizedChanges,
} from './change';
import { durationMs } from './features';
import { matchByKey } from './match';

const KNOWN_KEYS = [
  'expect',
  'severity',
  'column',
  'columns',
  'min',
  'max',
  'values',
  'regex',
  'type',
  'maxAge',
  'interval',
  'scope',
  'method',
  'baseline',
  'maxChange',
  'mostly',
  'description',
] as const;

const SEVERITY_RANK: Record<Severity, number> = { warn: 0, reject: 1, fail: 2 };

/**
 * Identity: what is checked on which columns, and over what. Column sets are order-free.
 * A `scope: view` expectation is another expectation than its batch namesake (`@view`),
 * so adding one is an addition, judged like adding a batch expectation.
 */
export function expectationKey(e: ExpectationSpec): string {
  const cols = e.column !== undefined ? [e.column] : [...(e.columns ?? [])].sort();
  const key = cols.length > 0 ? `${e.expect}(${cols.join(',')})` : e.expect;
  return e.scope === 'view' ? `${key}@view` : key;
}

export function diffExpectations(base: Contract, head: Contract): ContractChange[] {
  const m = matchByKey(base.expectations, head.expectations, expectationKey);
  const out: ContractChange[] = [];
  for (const e of m.removed) {
    const msg = `expectation ${expectationKey(e)} (${e.severity}) removed`;
    out.push(change('expectation.removed', 'additive', ptr('expectations', expectationKey(e)), msg, e));
  }
  for (const e of m.added) {
    const msg = `expectation ${expectationKey(e)} (${e.severity}) added`;
    const cls = blocking(e.severity) ? 'breaking' : 'additive';
    out.push(change('expectation.added', cls, ptr('expectations', expectationKey(e)), msg, undefined, e));
  }
  for (const p of m.pairs) out.push(...diffExpectation(p.base, p.head));
  if (m.reordered) {
    const keys = (c: Contract) => c.expectations.map(expectationKey);
    const msg = 'expectations reordered';
    out.push(change('expectations.reordered', 'cosmetic', ptr('expectations'), msg, keys(base), keys(head)));
  }
  return out;
}

function blocking(s: Severity): boolean {
  return s !== 'warn';
}

/** A verdict on one parameter: did the head accept fewer (tightened) or more (loosened) data? */
type Direction = 'tightened' | 'loosened';

function diffExpectation(b: ExpectationSpec, h: ExpectationSpec): ContractChange[] {
  const key = expectationKey(h);
  const path = ptr('expectations', key);
  const out: ContractChange[] = [...severityChange(b, h, key, path)];
  const setRules = h.expect === 'in_set' && b.expect === 'in_set';
  if (setRules) out.push(...inSetChanges(b, h, key, path));
  const params: Array<[string, Direction | null, string]> = [
    ['min', bound(b.min, h.min, 'higher'), `min ${show(b.min)} → ${show(h.min)}`],
    ['max', bound(b.max, h.max, 'lower'), `max ${show(b.max)} → ${show(h.max)}`],
    // Absent `mostly` means every row must pass.
    [
      'mostly',
      bound(b.mostly ?? 1, h.mostly ?? 1, 'higher'),
      `mostly ${show(b.mostly ?? 1)} → ${show(h.mostly ?? 1)}`,
    ],
    ['values', setRules ? null : valuesDirection(b, h), valuesText(b, h)],
    ['regex', anyChangeTightens(b.regex, h.regex), `regex ${show(b.regex)} → ${show(h.regex)}`],
    ['type', anyChangeTightens(b.type, h.type), `type ${show(b.type)} → ${show(h.type)}`],
    ['maxAge', maxAgeDirection(b.maxAge, h.maxAge), `maxAge ${show(b.maxAge)} → ${show(h.maxAge)}`],
    // A shorter step between event times finds more gaps.
    [
      'interval',
      maxAgeDirection(b.interval, h.interval),
      `interval ${show(b.interval)} → ${show(h.interval)}`,
    ],
    // Drift: a smaller allowed change tightens; another statistic or baseline may reject anything.
    [
      'maxChange',
      bound(b.maxChange, h.maxChange, 'lower'),
      `maxChange ${show(b.maxChange)} → ${show(h.maxChange)}`,
    ],
    ['method', anyChangeTightens(b.method, h.method), `method ${show(b.method)} → ${show(h.method)}`],
    [
      'baseline',
      anyChangeTightens(JSON.stringify(b.baseline), JSON.stringify(h.baseline)),
      `baseline ${show(b.baseline)} → ${show(h.baseline)}`,
    ],
  ];
  for (const [param, dir, text] of params) {
    if (!dir) continue;
    const p = param as keyof ExpectationSpec;
    const cls: ChangeClass = dir === 'loosened' || !blocking(h.severity) ? 'additive' : 'breaking';
    const msg = `expectation ${key} (${h.severity}) ${dir}: ${text}`;
    out.push(change(`expectation.${dir}`, cls, `${path}/${param}`, msg, b[p], h[p]));
  }
  if (b.description !== h.description) {
    const msg = `expectation ${key} description changed`;
    out.push(
      change(
        'expectation.description_changed',
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

function severityChange(b: ExpectationSpec, h: ExpectationSpec, key: string, path: string): ContractChange[] {
  const delta = SEVERITY_RANK[h.severity] - SEVERITY_RANK[b.severity];
  if (delta === 0) return [];
  const msg = `expectation ${key} severity ${delta > 0 ? 'raised' : 'lowered'} ${b.severity} → ${h.severity}`;
  if (delta > 0)
    return [
      change('expectation.severity_raised', 'breaking', `${path}/severity`, msg, b.severity, h.severity),
    ];
  return [
    change('expectation.severity_lowered', 'additive', `${path}/severity`, msg, b.severity, h.severity),
  ];
}

/**
 * in_set values, one rule each way. A removed value turns rows that passed into rows
 * rejected (or a failed run), so features stop arriving for those entities: breaking
 * when the expectation blocks (reject, fail). An added value only admits more rows.
 * A warn expectation blocks nothing, so neither direction changes the data there.
 */
function inSetChanges(b: ExpectationSpec, h: ExpectationSpec, key: string, path: string): ContractChange[] {
  const removed = setMinus(b.values ?? [], h.values ?? []);
  const added = setMinus(h.values ?? [], b.values ?? []);
  const out: ContractChange[] = [];
  const where = `${path}/values`;
  if (removed.length > 0) {
    const cls: ChangeClass = blocking(h.severity) ? 'breaking' : 'additive';
    const effect = blocking(h.severity)
      ? `rows holding ${removed.length === 1 ? 'it' : 'them'} are now ${h.severity === 'fail' ? 'failing the run' : 'rejected'}`
      : 'warn blocks nothing';
    const msg = `expectation ${key} (${h.severity}) no longer accepts ${show(removed)}: ${effect}`;
    out.push(change('expectation.in_set_value_removed', cls, where, msg, removed, undefined));
  }
  if (added.length > 0) {
    const msg = `expectation ${key} (${h.severity}) now accepts ${show(added)} as well`;
    out.push(change('expectation.in_set_value_added', 'additive', where, msg, undefined, added));
  }
  return out;
}

/** Absent bound = unbounded on that side. */
function bound(
  b: number | undefined,
  h: number | undefined,
  tighterWhen: 'higher' | 'lower',
): Direction | null {
  if (b === h) return null;
  const unbounded = tighterWhen === 'higher' ? -Infinity : Infinity;
  const higher = (h ?? unbounded) > (b ?? unbounded);
  return higher === (tighterWhen === 'higher') ? 'tightened' : 'loosened';
}

/** For parameters with no order (regex, type): adding or changing may reject old data, removing cannot. */
function anyChangeTightens(b: string | undefined, h: string | undefined): Direction | null {
  if (b === h) return null;
  return h === undefined ? 'loosened' : 'tightened';
}

function maxAgeDirection(b: string | undefined, h: string | undefined): Direction | null {
  const bm = durationMs(b);
  const hm = durationMs(h);
  if (bm === hm) return null;
  if (typeof bm === 'number' && typeof hm === 'number') return hm < bm ? 'tightened' : 'loosened';
  return anyChangeTightens(b, h);
}

/**
 * in_set / distinct_values_in_set accept values in the set: removing one narrows.
 * not_in_set forbids values in the set: adding one narrows. columns_match_set and
 * anything else demand an exact match, so any change may fail data that passed.
 */
function valuesDirection(b: ExpectationSpec, h: ExpectationSpec): Direction | null {
  if (same(b.values, h.values)) return null;
  const removed = setMinus(b.values ?? [], h.values ?? []);
  const added = setMinus(h.values ?? [], b.values ?? []);
  if (removed.length === 0 && added.length === 0) return null; // reordered only
  const narrowing = h.expect === 'not_in_set' ? added : removed;
  const widening = h.expect === 'not_in_set' ? removed : added;
  if (h.expect === 'in_set' || h.expect === 'distinct_values_in_set' || h.expect === 'not_in_set') {
    return narrowing.length > 0 ? 'tightened' : widening.length > 0 ? 'loosened' : null;
  }
  return 'tightened';
}

function valuesText(b: ExpectationSpec, h: ExpectationSpec): string {
  const removed = setMinus(b.values ?? [], h.values ?? []);
  const added = setMinus(h.values ?? [], b.values ?? []);
  const parts = [];
  if (removed.length > 0) parts.push(`values removed ${show(removed)}`);
  if (added.length > 0) parts.push(`values added ${show(added)}`);
  return parts.join(', ');
}

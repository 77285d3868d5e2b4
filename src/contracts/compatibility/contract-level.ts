/**
 * Rules for everything outside the lists: identity of the entity, event time, the
 * source, row filters, and the operational and descriptive keys.
 */
import { CONTRACT_KEYS, type Contract, type FilterSpec, type SourceSpec } from '../../domain/contract';
import { change, type ContractChange, ptr, same, sameSet, show, unrecognizedChanges } from './change';
import { normalizeExpr } from './features';
import { matchByKey } from './match';

const ENTITY_KEYS = ['name', 'key', 'nullable', 'description'] as const;

/** How bytes become values: changing any of these can change the values of the same input. */
const PARSING_KEYS = ['delimiter', 'quote', 'header', 'nullValues', 'encoding'] as const;
/** Where and in what batches input arrives: operational, the values are the same. */
const DELIVERY_KEYS = ['path', 'subject', 'stream', 'batch'] as const;

/**
 * Purely operational or descriptive keys: when and how often runs happen, who owns
 * the contract, what happens to old batches on a new version. None of them changes
 * the shape or meaning of a feature row.
 */
const COSMETIC_KEYS = ['description', 'owner', 'tags', 'links', 'schedule', 'sla', 'policy'] as const;

export function diffContractLevel(base: Contract, head: Contract): ContractChange[] {
  return [
    ...entityChanges(base, head),
    ...eventTimeChange(base, head),
    ...sourceChanges(base.source, head.source),
    ...filterChanges(base.filters ?? [], head.filters ?? []),
    ...COSMETIC_KEYS.flatMap((key) => cosmeticChange(base, head, key)),
    ...rejectBoundChange(base, head),
    ...unrecognizedChanges(base, head, CONTRACT_KEYS, ''),
  ];
}

function entityChanges(base: Contract, head: Contract): ContractChange[] {
  const b = base.entity;
  const h = head.entity;
  const out: ContractChange[] = [];
  // The entity name is how consumers and lineage refer to what a row is about.
  if (b.name !== h.name) {
    const msg = `entity name changed ${b.name} → ${h.name}`;
    out.push(change('entity.name_changed', 'breaking', '/entity/name', msg, b.name, h.name));
  }
  // Order matters too: composite keys are addressed and stored in key order.
  if (!same(b.key, h.key)) {
    const msg = `entity key changed ${show(b.key)} → ${show(h.key)}`;
    out.push(change('entity.key_changed', 'breaking', '/entity/key', msg, b.key, h.key));
  }
  out.push(...nullableChanges(b.nullable ?? [], h.nullable ?? []));
  if (b.description !== h.description) {
    const msg = 'entity description changed';
    out.push(
      change(
        'entity.description_changed',
        'cosmetic',
        '/entity/description',
        msg,
        b.description,
        h.description,
      ),
    );
  }
  out.push(...unrecognizedChanges(b, h, ENTITY_KEYS, '/entity'));
  return out;
}

/**
 * A key part that may now be null is additive (rows once rejected are kept); one that
 * may no longer be null is breaking (its null keys can no longer be read or written).
 */
function nullableChanges(b: string[], h: string[]): ContractChange[] {
  const out: ContractChange[] = [];
  for (const col of h.filter((c) => !b.includes(c))) {
    const msg = `entity key column '${col}' may now be null`;
    out.push(change('entity.nullable_added', 'additive', '/entity/nullable', msg, b, h));
  }
  for (const col of b.filter((c) => !h.includes(c))) {
    const msg = `entity key column '${col}' may no longer be null`;
    out.push(change('entity.nullable_removed', 'breaking', '/entity/nullable', msg, b, h));
  }
  return out;
}

function eventTimeChange(base: Contract, head: Contract): ContractChange[] {
  if (base.eventTime === head.eventTime) return [];
  const msg = `event-time column changed ${base.eventTime} → ${head.eventTime}`;
  return [change('event_time.changed', 'breaking', '/eventTime', msg, base.eventTime, head.eventTime)];
}

function sourceChanges(b: SourceSpec, h: SourceSpec): ContractChange[] {
  const out: ContractChange[] = [];
  // Another transport means another producer and other parsing: the data is not the same data.
  if (b.type !== h.type) {
    out.push(
      change(
        'source.type_changed',
        'breaking',
        '/source/type',
        `source type changed ${b.type} → ${h.type}`,
        b.type,
        h.type,
      ),
    );
  }
  for (const key of PARSING_KEYS) {
    const equal = key === 'nullValues' ? sameSet(b.nullValues, h.nullValues) : same(b[key], h[key]);
    if (equal) continue;
    const msg = `source ${key} changed ${show(b[key])} → ${show(h[key])}: the same input may parse to other values`;
    out.push(change('source.parsing_changed', 'breaking', `/source/${key}`, msg, b[key], h[key]));
  }
  for (const key of DELIVERY_KEYS) {
    if (same(b[key], h[key])) continue;
    const msg = `source ${key} changed ${show(b[key])} → ${show(h[key])}`;
    out.push(change('source.delivery_changed', 'cosmetic', `/source/${key}`, msg, b[key], h[key]));
  }
  out.push(...unrecognizedChanges(b, h, ['type', ...PARSING_KEYS, ...DELIVERY_KEYS], '/source'));
  return out;
}

/**
 * Filters decide which rows exist. Adding one hides rows consumers had; removing one
 * lets in rows that were deliberately kept out (test accounts, bad regions), which
 * consumers never had to handle. Both are breaking. Filters are a conjunction, so
 * their order is cosmetic.
 */
function filterChanges(base: FilterSpec[], head: FilterSpec[]): ContractChange[] {
  const m = matchByKey(base, head, (f) => normalizeExpr(f.expr));
  const path = (f: FilterSpec) => ptr('filters', f.expr);
  const out: ContractChange[] = [];
  for (const f of m.removed)
    out.push(change('filter.removed', 'breaking', path(f), `filter '${f.expr}' removed`, f));
  for (const f of m.added)
    out.push(change('filter.added', 'breaking', path(f), `filter '${f.expr}' added`, undefined, f));
  for (const { base: b, head: h } of m.pairs) {
    if (b.expr !== h.expr) {
      const msg = `filter expression reformatted '${b.expr}' → '${h.expr}' (same tokens)`;
      out.push(change('filter.reformatted', 'cosmetic', path(h), msg, b.expr, h.expr));
    }
    if (b.description !== h.description) {
      const msg = `filter '${h.expr}' description changed`;
      out.push(
        change(
          'filter.description_changed',
          'cosmetic',
          `${path(h)}/description`,
          msg,
          b.description,
          h.description,
        ),
      );
    }
    out.push(...unrecognizedChanges(b, h, ['expr', 'description'], path(h)));
  }
  if (m.reordered) out.push(change('filters.reordered', 'cosmetic', '/filters', 'filters reordered'));
  return out;
}

function cosmeticChange(
  base: Contract,
  head: Contract,
  key: (typeof COSMETIC_KEYS)[number],
): ContractChange[] {
  // The reject bound in policy blocks data, so it has a rule of its own (rejectBoundChange).
  const b = key === 'policy' ? withoutRejectBound(base.policy) : base[key];
  const h = key === 'policy' ? withoutRejectBound(head.policy) : head[key];
  if (same(b, h)) return [];
  const rule =
    key === 'description' || key === 'owner' || key === 'tags' || key === 'links'
      ? `contract.${key}_changed`
      : `${key}.changed`;
  const msg = key === 'description' ? 'description changed' : `${key} changed ${show(b)} → ${show(h)}`;
  return [change(rule, 'cosmetic', `/${key}`, msg, b, h)];
}

function withoutRejectBound(p: Contract['policy']): Contract['policy'] {
  if (p?.maxRejectedFraction === undefined) return p;
  const { maxRejectedFraction: _bound, ...rest } = p;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/**
 * policy.maxRejectedFraction fails whole runs, like a `fail` expectation: adding it or
 * lowering it can block batches that passed (breaking); removing or raising it blocks
 * nothing new (additive).
 */
function rejectBoundChange(base: Contract, head: Contract): ContractChange[] {
  const b = base.policy?.maxRejectedFraction;
  const h = head.policy?.maxRejectedFraction;
  if (b === h) return [];
  const path = '/policy/maxRejectedFraction';
  const tighter = h !== undefined && (b === undefined || h < b);
  const msg = `maxRejectedFraction ${show(b)} → ${show(h)}: ${tighter ? 'runs that passed may now fail' : 'no run that passed fails now'}`;
  return [
    change(
      tighter ? 'policy.reject_bound_tightened' : 'policy.reject_bound_loosened',
      tighter ? 'breaking' : 'additive',
      path,
      msg,
      b,
      h,
    ),
  ];
}

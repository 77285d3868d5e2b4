/**
 * Expectations ↔ ODCS quality rules. Five expectations have a native ODCS library
 * metric (nullValues, duplicateValues, invalidValues, rowCount); every other one is an
 * ODCS `custom` rule with `engine: tidemark` whose implementation is the expectation
 * itself, which is what the standard provides for engine-specific checks. `mostly`
 * (the share of rows that must pass) is the metric's allowed failure in percent.
 */
import type { ExpectationName, ExpectationSpec, Severity } from '../../domain/contract';
import { SEVERITIES } from '../../domain/contract';

export type OdcsRule = Record<string, unknown>;

/** ODCS custom-property names Tidemark writes; other tools' custom properties are left alone. */
export const RULE_SEVERITY = 'tidemarkSeverity';
export const RULE_CONSTRAINT = 'tidemarkConstraint';
/** `view` for an expectation with `scope: view`; absent for the batch (the default). */
export const RULE_SCOPE = 'tidemarkScope';
export const TIDEMARK_ENGINE = 'tidemark';

const DIMENSIONS: Partial<Record<ExpectationName, string>> = {
  not_null: 'completeness',
  row_count_between: 'completeness',
  unique: 'uniqueness',
  compound_unique: 'uniqueness',
  unique_proportion_between: 'uniqueness',
  in_set: 'conformity',
  not_in_set: 'conformity',
  match_regex: 'conformity',
  length_between: 'conformity',
  of_type: 'conformity',
  distinct_values_in_set: 'conformity',
  columns_match_set: 'conformity',
  increasing: 'consistency',
  non_decreasing: 'consistency',
  no_future_event_time: 'timeliness',
  fresh_within: 'timeliness',
};

/** The ODCS quality dimension of an expectation (accuracy for the range checks). */
export function dimensionOf(expect: ExpectationName): string {
  return DIMENSIONS[expect] ?? 'accuracy';
}

/** Numbers that went through percent arithmetic, rounded so 0.95 ↔ 5 stays exact. */
const tidy = (n: number) => Number(n.toPrecision(12));

function threshold(mostly: number | undefined): OdcsRule {
  if (mostly === undefined) return { mustBe: 0 };
  return { mustBeLessOrEqualTo: tidy((1 - mostly) * 100), unit: 'percent' };
}

function common(e: Pick<ExpectationSpec, 'severity' | 'description' | 'scope'>): OdcsRule {
  const out: OdcsRule = { severity: e.severity === 'warn' ? 'warning' : 'error' };
  if (e.description !== undefined) out.description = e.description;
  const custom: Array<{ property: string; value: string }> = [];
  // ODCS severities are info/warning/error: `error` reads back as fail, so reject says so.
  if (e.severity === 'reject') custom.push({ property: RULE_SEVERITY, value: 'reject' });
  // ODCS rules have no scope of their own; the view scope travels as a custom property.
  if (e.scope === 'view') custom.push({ property: RULE_SCOPE, value: 'view' });
  if (custom.length > 0) out.customProperties = custom;
  return out;
}

function rowCountOperator(min: number | undefined, max: number | undefined): OdcsRule {
  if (min !== undefined && max !== undefined)
    return min === max ? { mustBe: min } : { mustBeBetween: [min, max] };
  if (min !== undefined) return { mustBeGreaterOrEqualTo: min };
  return { mustBeLessOrEqualTo: max };
}

/** The ODCS quality rule for an expectation. */
export function toRule(e: ExpectationSpec): OdcsRule {
  const head = (metric: string) => ({ type: 'library', metric });
  const tail = { dimension: dimensionOf(e.expect), ...common(e) };
  switch (e.expect) {
    case 'not_null':
      return { ...head('nullValues'), ...threshold(e.mostly), ...tail };
    case 'unique':
      return { ...head('duplicateValues'), ...threshold(e.mostly), ...tail };
    case 'compound_unique':
      return {
        ...head('duplicateValues'),
        arguments: { properties: e.columns },
        ...threshold(e.mostly),
        ...tail,
      };
    case 'in_set':
      return {
        ...head('invalidValues'),
        arguments: { validValues: e.values },
        ...threshold(e.mostly),
        ...tail,
      };
    case 'match_regex':
      return { ...head('invalidValues'), arguments: { pattern: e.regex }, ...threshold(e.mostly), ...tail };
    case 'row_count_between':
      return { ...head('rowCount'), ...rowCountOperator(e.min, e.max), unit: 'rows', ...tail };
    default: {
      const { severity: _s, description: _d, scope: _scope, ...implementation } = e;
      return { type: 'custom', engine: TIDEMARK_ENGINE, implementation, ...tail };
    }
  }
}

/** A column's `enum` as an ODCS rule: the standard has no enum, invalidValues says the same. */
export function enumRule(values: Array<string | number | boolean>): OdcsRule {
  return {
    type: 'library',
    metric: 'invalidValues',
    arguments: { validValues: values },
    mustBe: 0,
    dimension: 'conformity',
    severity: 'error',
    customProperties: [{ property: RULE_CONSTRAINT, value: 'enum' }],
  };
}

/** One thing a rule holds that Tidemark does not keep: the key under the rule and why. */
export interface Lost {
  key: string;
  message: string;
}

export type RuleReading =
  | { kind: 'expectation'; expectation: ExpectationSpec; lost: Lost[] }
  | { kind: 'enum'; values: Array<string | number | boolean>; lost: Lost[] }
  | { kind: 'unmapped'; reason: string };

/** Keys whose loss is reported one by one rather than refusing the rule. */
const DESCRIPTIVE_KEYS = [
  'id',
  'name',
  'businessImpact',
  'method',
  'scheduler',
  'schedule',
  'tags',
  'authoritativeDefinitions',
];
const OPERATORS = [
  'mustBe',
  'mustNotBe',
  'mustBeGreaterThan',
  'mustBeGreaterOrEqualTo',
  'mustBeLessThan',
  'mustBeLessOrEqualTo',
  'mustBeBetween',
  'mustNotBeBetween',
];

interface Place {
  /** The property (column) the rule sits under; undefined at schema level. */
  column?: string;
}

/** An ODCS quality rule read as an expectation (or a column enum), or why it cannot be. */
export function fromRule(rule: OdcsRule, place: Place): RuleReading {
  const type = (rule.type as string | undefined) ?? (rule.metric !== undefined ? 'library' : 'text');
  if (type === 'text')
    return {
      kind: 'unmapped',
      reason: 'a text rule describes quality in words; Tidemark runs only rules it can check',
    };
  if (type === 'sql')
    return {
      kind: 'unmapped',
      reason:
        'an SQL rule runs a query against a database; Tidemark checks rows as it ingests them and runs no SQL from a contract',
    };
  const lost: Lost[] = [];
  const severity = readSeverity(rule, lost);
  const known = new Set([
    'type',
    'severity',
    'description',
    'dimension',
    'customProperties',
    ...DESCRIPTIVE_KEYS,
  ]);
  let reading: RuleReading;
  if (type === 'custom') {
    reading = fromCustom(rule, severity);
    for (const k of ['engine', 'implementation']) known.add(k);
  } else {
    reading = fromLibrary(rule, place, severity, lost);
    for (const k of ['metric', 'arguments', 'unit', ...OPERATORS]) known.add(k);
  }
  if (reading.kind === 'unmapped') return reading;
  for (const key of DESCRIPTIVE_KEYS) {
    if (rule[key] !== undefined)
      lost.push({
        key,
        message: `rule ${key} ${JSON.stringify(rule[key])} has no Tidemark equivalent; not kept`,
      });
  }
  for (const key of Object.keys(rule)) {
    if (!known.has(key))
      lost.push({ key, message: `rule key '${key}' has no Tidemark equivalent; not kept` });
  }
  lost.push(...otherCustomProperties(rule));
  if (reading.kind === 'expectation') {
    if (typeof rule.description === 'string') reading.expectation.description = rule.description;
    if (customValue(rule, RULE_SCOPE) === 'view') reading.expectation.scope = 'view';
    const derived = dimensionOf(reading.expectation.expect);
    if (rule.dimension !== undefined && rule.dimension !== derived) {
      lost.push({
        key: 'dimension',
        message: `dimension '${String(rule.dimension)}' not kept: Tidemark files ${reading.expectation.expect} under '${derived}'`,
      });
    }
  }
  return { ...reading, lost: [...lost, ...reading.lost] };
}

function readSeverity(rule: OdcsRule, lost: Lost[]): Severity {
  const custom = customValue(rule, RULE_SEVERITY);
  if (typeof custom === 'string' && (SEVERITIES as readonly string[]).includes(custom))
    return custom as Severity;
  const s = rule.severity;
  if (s === undefined) return 'warn';
  if (s === 'error') return 'fail';
  if (s === 'warning' || s === 'warn' || s === 'info') return 'warn';
  lost.push({
    key: 'severity',
    message: `severity ${JSON.stringify(s)} is not info, warning or error; read as warn (reported, blocks nothing)`,
  });
  return 'warn';
}

function customValue(rule: OdcsRule, property: string): unknown {
  const list = Array.isArray(rule.customProperties)
    ? (rule.customProperties as Array<Record<string, unknown>>)
    : [];
  return list.find((p) => p.property === property)?.value;
}

function otherCustomProperties(rule: OdcsRule): Lost[] {
  const list = Array.isArray(rule.customProperties)
    ? (rule.customProperties as Array<Record<string, unknown>>)
    : [];
  return list
    .filter(
      (p) => p.property !== RULE_SEVERITY && p.property !== RULE_CONSTRAINT && p.property !== RULE_SCOPE,
    )
    .map((p) => ({
      key: 'customProperties',
      message: `custom property '${String(p.property)}' is not one Tidemark reads; not kept`,
    }));
}

function fromCustom(rule: OdcsRule, severity: Severity): RuleReading {
  if (rule.engine !== TIDEMARK_ENGINE) {
    return {
      kind: 'unmapped',
      reason: `a custom rule for engine '${String(rule.engine)}' runs in that engine; Tidemark runs only engine 'tidemark' rules`,
    };
  }
  const impl = rule.implementation;
  if (impl === null || typeof impl !== 'object' || Array.isArray(impl)) {
    return {
      kind: 'unmapped',
      reason:
        "an engine 'tidemark' rule's implementation must be an expectation object ({ expect: ..., column: ... })",
    };
  }
  // The contract checks (parseContract) judge the expectation itself, with their own messages.
  return { kind: 'expectation', expectation: { ...(impl as ExpectationSpec), severity }, lost: [] };
}

/** The share of rows that must pass, from the rule's operator; a string says why it cannot be read. */
function mostlyFrom(rule: OdcsRule): { mostly?: number } | string {
  if (rule.mustBe === 0) return {};
  if (typeof rule.mustBeLessOrEqualTo === 'number' && rule.unit === 'percent') {
    const p = rule.mustBeLessOrEqualTo;
    if (p < 0 || p > 100) return `mustBeLessOrEqualTo ${p} percent is not a share of rows`;
    return { mostly: tidy(1 - p / 100) };
  }
  const op = OPERATORS.find((o) => rule[o] !== undefined) ?? 'no operator';
  return `Tidemark bounds failing rows as a share (mustBe: 0, or mustBeLessOrEqualTo N with unit: percent); ${op} ${JSON.stringify(rule[op] ?? '')}${rule.unit ? ` ${String(rule.unit)}` : ''} has no equivalent`;
}

function fromLibrary(rule: OdcsRule, place: Place, severity: Severity, lost: Lost[]): RuleReading {
  const metric = rule.metric;
  const args = (rule.arguments ?? {}) as Record<string, unknown>;
  const column = place.column;
  const unmapped = (reason: string): RuleReading => ({ kind: 'unmapped', reason });
  const extraArgs = (allowed: string[]) => {
    for (const k of Object.keys(args)) {
      if (!allowed.includes(k))
        lost.push({
          key: 'arguments',
          message: `argument '${k}' of ${String(metric)} has no Tidemark equivalent; not kept`,
        });
    }
  };
  const share = mostlyFrom(rule);
  const expectation = (e: Omit<ExpectationSpec, 'severity'>): RuleReading => ({
    kind: 'expectation',
    expectation: { ...e, severity },
    lost: [],
  });
  switch (metric) {
    case 'nullValues': {
      if (!column) return unmapped('nullValues needs a property: put the rule under the column it checks');
      if (typeof share === 'string') return unmapped(share);
      extraArgs([]);
      return expectation({ expect: 'not_null', column, ...share });
    }
    case 'duplicateValues': {
      if (typeof share === 'string') return unmapped(share);
      const props = args.properties;
      extraArgs(['properties']);
      if (Array.isArray(props) && props.every((p) => typeof p === 'string') && props.length > 0) {
        return expectation({ expect: 'compound_unique', columns: props as string[], ...share });
      }
      if (!column)
        return unmapped(
          'duplicateValues at schema level needs arguments.properties (the columns that are unique together)',
        );
      return expectation({ expect: 'unique', column, ...share });
    }
    case 'invalidValues': {
      if (!column) return unmapped('invalidValues needs a property: put the rule under the column it checks');
      if (typeof share === 'string') return unmapped(share);
      extraArgs(['validValues', 'pattern']);
      if (Array.isArray(args.validValues)) {
        const values = args.validValues.filter((v) => v !== null);
        if (values.length < args.validValues.length) {
          lost.push({
            key: 'arguments',
            message:
              'null in validValues not kept: in Tidemark a null passes in_set and is checked by not_null or required',
          });
        }
        if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v)))
          return unmapped('validValues must be strings, numbers or booleans');
        if (values.length === 0) return unmapped('validValues lists no value besides null');
        if (customValue(rule, RULE_CONSTRAINT) === 'enum' && share.mostly === undefined) {
          return { kind: 'enum', values: values as Array<string | number | boolean>, lost: [] };
        }
        return expectation({
          expect: 'in_set',
          column,
          values: values as Array<string | number | boolean>,
          ...share,
        });
      }
      if (typeof args.pattern === 'string')
        return expectation({ expect: 'match_regex', column, regex: args.pattern, ...share });
      return unmapped('invalidValues needs arguments.validValues or arguments.pattern');
    }
    case 'rowCount': {
      extraArgs([]);
      const range = rowCountRange(rule);
      if (typeof range === 'string') return unmapped(range);
      return expectation({ expect: 'row_count_between', ...range });
    }
    case 'missingValues':
      return unmapped(
        "missingValues counts values from arguments.missingValues as missing; Tidemark reads such tokens as null with the source's nullValues, then checks them with not_null (a nullValues rule)",
      );
    default:
      return unmapped(
        `metric ${JSON.stringify(metric ?? rule.rule)} is not an ODCS v3.1 library metric Tidemark knows`,
      );
  }
}

function rowCountRange(rule: OdcsRule): { min?: number; max?: number } | string {
  if (rule.unit !== undefined && rule.unit !== 'rows')
    return `rowCount in unit '${String(rule.unit)}' has no meaning here (rows only)`;
  const n = (k: string) => (typeof rule[k] === 'number' ? (rule[k] as number) : undefined);
  const between = rule.mustBeBetween as number[] | undefined;
  if (between) return { min: between[0], max: between[1] };
  if (n('mustBe') !== undefined) return { min: n('mustBe'), max: n('mustBe') };
  if (n('mustBeGreaterOrEqualTo') !== undefined) return { min: n('mustBeGreaterOrEqualTo') };
  // A count is a whole number, so a strict bound is the next whole number.
  if (n('mustBeGreaterThan') !== undefined) return { min: Math.floor(n('mustBeGreaterThan')!) + 1 };
  if (n('mustBeLessOrEqualTo') !== undefined) return { max: n('mustBeLessOrEqualTo') };
  if (n('mustBeLessThan') !== undefined) return { max: Math.ceil(n('mustBeLessThan')!) - 1 };
  return 'rowCount with mustNotBe or mustNotBeBetween has no equivalent (row_count_between takes one range)';
}

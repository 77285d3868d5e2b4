/**
 * Rules the meta-schema cannot express readably: references between sections,
 * per-expectation parameters, ranges, regexes and durations (source, schedule and SLA
 * rules are in acquisition-checks.ts).
 * Each check reads a few top-level sections and runs only when the meta-schema found
 * those sections well-formed, so it can trust their shape and never reports noise
 * caused by a structural error already reported.
 */
import {
  type ColumnSpec,
  type ColumnType,
  type Contract,
  EXPECTATION_PARAMS,
  type ExpectationParam,
  type ExpectationSpec,
  type FeatureSpec,
  MOSTLY_EXPECTATIONS,
} from '../domain/contract';
import { checkSchedule, checkSla, checkSource } from './acquisition-checks';
import { expectationScopes } from './scope-checks';
import { positiveDurationProblem } from '../lib/duration';
import { linearRegexProblem } from '../quality/linear-regex';
import { type Finding, finding, splitPointer } from './locate';
import { didYouMean } from '../lib/nearest-name';

interface Check {
  /** Pointers the check relies on; `*` matches any array index. */
  reads: string[];
  run: (c: Contract) => Finding[];
}

const NAMES = '/schema/*/name';

const CHECKS: Check[] = [
  { reads: [NAMES], run: (c) => duplicates(c.schema, '/schema', 'column') },
  { reads: ['/schema'], run: (c) => c.schema.flatMap(columnConstraints) },
  { reads: ['/features/*/name'], run: (c) => duplicates(c.features, '/features', 'feature') },
  { reads: ['/entity/key', '/entity/nullable', NAMES, '/schema/*/required'], run: entityKey },
  { reads: ['/eventTime', NAMES, '/schema/*/type', '/schema/*/required'], run: eventTime },
  { reads: ['/features', NAMES], run: features },
  { reads: ['/expectations', NAMES], run: expectations },
  { reads: ['/expectations', '/entity/key', '/eventTime'], run: expectationScopes },
  { reads: ['/source'], run: checkSource },
  { reads: ['/schedule'], run: checkSchedule },
  { reads: ['/sla'], run: checkSla },
];

/**
 * Every semantic problem of a contract. `brokenPaths` are the pointers the meta-schema
 * reported; a check is skipped when one of them lies on a pointer it reads (above it,
 * at it or below it), so it only ever sees well-formed values.
 */
export function checkSemantics(contract: Contract, brokenPaths: readonly string[] = []): Finding[] {
  const broken = brokenPaths.map(splitPointer);
  const usable = (read: string): boolean => !broken.some((b) => sameBranch(b, splitPointer(read)));
  return CHECKS.filter((check) => check.reads.every(usable)).flatMap((check) => check.run(contract));
}

function sameBranch(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i] && a[i] !== '*' && b[i] !== '*') return false;
  }
  return true;
}

function columnsByName(c: Contract): Map<string, ColumnSpec> {
  return new Map(c.schema.map((col) => [col.name, col]));
}

function duplicates(items: Array<{ name: string }>, base: string, what: string): Finding[] {
  const first = new Map<string, number>();
  return items.flatMap((item, i) => {
    const seen = first.get(item.name);
    if (seen === undefined) first.set(item.name, i);
    return seen === undefined
      ? []
      : [finding(`${base}/${i}/name`, `duplicate ${what} '${item.name}' (first at ${base}/${seen})`)];
  });
}

// ---- schema -----------------------------------------------------------------------

const NUMERIC: readonly ColumnType[] = ['integer', 'number'];

function columnConstraints(col: ColumnSpec, i: number): Finding[] {
  const at = `/schema/${i}`;
  const out: Finding[] = [];
  if (col.minimum !== undefined && col.maximum !== undefined && col.minimum > col.maximum) {
    out.push(finding(`${at}/minimum`, `minimum ${col.minimum} is greater than maximum ${col.maximum}`));
  }
  if (col.minLength !== undefined && col.maxLength !== undefined && col.minLength > col.maxLength) {
    out.push(
      finding(`${at}/minLength`, `minLength ${col.minLength} is greater than maxLength ${col.maxLength}`),
    );
  }
  out.push(...regex(col.pattern, `${at}/pattern`));
  for (const key of ['minimum', 'maximum'] as const) {
    if (col[key] !== undefined && !NUMERIC.includes(col.type)) {
      out.push(
        finding(`${at}/${key}`, `'${key}' applies to integer and number columns, not ${col.type}`, 'key'),
      );
    }
  }
  for (const key of ['minLength', 'maxLength', 'pattern'] as const) {
    if (col[key] !== undefined && col.type !== 'string') {
      out.push(finding(`${at}/${key}`, `'${key}' applies to string columns, not ${col.type}`, 'key'));
    }
  }
  (col.enum ?? []).forEach((v, j) => {
    if (!valueFitsType(v, col.type))
      out.push(finding(`${at}/enum/${j}`, `enum value ${JSON.stringify(v)} is not a ${col.type}`));
  });
  return out;
}

function valueFitsType(v: string | number | boolean, type: ColumnType): boolean {
  if (type === 'integer') return Number.isInteger(v);
  if (type === 'number') return typeof v === 'number';
  if (type === 'boolean') return typeof v === 'boolean';
  return typeof v === 'string'; // string, and date/timestamp written as ISO-8601 text
}

function regex(pattern: string | undefined, at: string): Finding[] {
  if (pattern === undefined) return [];
  const problem = linearRegexProblem(pattern);
  return problem === null ? [] : [finding(at, problem)];
}

/**
 * Key columns are required, except those listed in `entity.nullable`, which must not
 * be: a nullable part is a declared choice (null matches null on reads), never an
 * accident of a forgotten `required`. One part at least is never null.
 */
function entityKey(c: Contract): Finding[] {
  const columns = columnsByName(c);
  const nullable = new Set(c.entity.nullable ?? []);
  const out = c.entity.key.flatMap((name, i) => {
    const at = `/entity/key/${i}`;
    const col = columns.get(name);
    if (!col)
      return [finding(at, `entity key column '${name}' is not in schema${didYouMean(name, columns.keys())}`)];
    if (nullable.has(name) && col.required === true) {
      return [
        finding(
          at,
          `entity key column '${name}' is listed in entity.nullable, so it cannot be required: true`,
        ),
      ];
    }
    if (!nullable.has(name) && col.required !== true) {
      return [
        finding(
          at,
          `entity key column '${name}' must be required: true (or listed in entity.nullable to allow a null part)`,
        ),
      ];
    }
    return [];
  });
  (c.entity.nullable ?? []).forEach((name, i) => {
    if (!c.entity.key.includes(name))
      out.push(
        finding(
          `/entity/nullable/${i}`,
          `'${name}' is not an entity key column (key: ${c.entity.key.join(', ')})`,
        ),
      );
  });
  if (c.entity.key.every((name) => nullable.has(name))) {
    out.push(finding('/entity/nullable', 'at least one entity key column must not be nullable'));
  }
  return out;
}

function eventTime(c: Contract): Finding[] {
  const columns = columnsByName(c);
  const col = columns.get(c.eventTime);
  const name = c.eventTime;
  if (!col)
    return [
      finding('/eventTime', `eventTime column '${name}' is not in schema${didYouMean(name, columns.keys())}`),
    ];
  const out: Finding[] = [];
  if (col.type !== 'date' && col.type !== 'timestamp') {
    out.push(
      finding('/eventTime', `eventTime column '${name}' must be of type date or timestamp, not ${col.type}`),
    );
  }
  if (col.required !== true)
    out.push(finding('/eventTime', `eventTime column '${name}' must be required: true`));
  return out;
}

// ---- features ---------------------------------------------------------------------

const ROW_WINDOW_OPS = ['lag', 'diff'];

function features(c: Contract): Finding[] {
  const columns = columnsByName(c);
  const earlier = new Set<string>();
  return c.features.flatMap((f, i) => {
    const out = featureShape(f, `/features/${i}`, columns, earlier);
    earlier.add(f.name);
    return out;
  });
}

function featureShape(
  f: FeatureSpec,
  at: string,
  columns: Map<string, ColumnSpec>,
  earlier: Set<string>,
): Finding[] {
  const kinds = (['column', 'expr', 'window'] as const).filter((k) => f[k] !== undefined);
  if (kinds.length !== 1) {
    const got = kinds.length === 0 ? 'none' : kinds.join(' and ');
    return [finding(at, `feature '${f.name}' must have exactly one of column, expr, window; got ${got}`)];
  }
  if (f.column !== undefined && !columns.has(f.column)) {
    return [finding(`${at}/column`, unknownColumn(f.column, columns.keys()))];
  }
  return f.window ? windowChecks(f.window, `${at}/window`, columns, earlier) : [];
}

function windowChecks(
  w: NonNullable<FeatureSpec['window']>,
  at: string,
  columns: Map<string, ColumnSpec>,
  earlier: Set<string>,
): Finding[] {
  const out: Finding[] = [];
  if (!columns.has(w.column) && !earlier.has(w.column)) {
    out.push(
      finding(
        `${at}/column`,
        `window column '${w.column}' is neither a schema column nor an earlier feature${didYouMean(w.column, [...columns.keys(), ...earlier])}`,
      ),
    );
  }
  if (ROW_WINDOW_OPS.includes(w.op)) {
    for (const key of ['rows', 'duration'] as const) {
      if (w[key] !== undefined)
        out.push(finding(`${at}/${key}`, `'${key}' does not apply to op '${w.op}' (use offset)`, 'key'));
    }
    return out;
  }
  if (w.offset !== undefined)
    out.push(finding(`${at}/offset`, `'offset' applies only to lag and diff`, 'key'));
  if ((w.rows === undefined) === (w.duration === undefined)) {
    out.push(finding(at, `window op '${w.op}' needs exactly one of 'rows' or 'duration'`));
  }
  return [...out, ...duration(w.duration, `${at}/duration`)];
}

function duration(value: string | undefined, at: string): Finding[] {
  const problem = value === undefined ? undefined : positiveDurationProblem(value);
  return problem ? [finding(at, problem)] : [];
}

// ---- expectations -----------------------------------------------------------------

const PARAMS: ExpectationParam[] = [
  'column',
  'columns',
  'min',
  'max',
  'values',
  'regex',
  'type',
  'maxAge',
  'interval',
  'method',
  'baseline',
  'maxChange',
];

function expectations(c: Contract): Finding[] {
  const columns = columnsByName(c);
  return c.expectations.flatMap((e, i) => {
    const at = `/expectations/${i}`;
    return [...params(e, at), ...expectationValues(e, at), ...expectationColumns(e, at, columns)];
  });
}

function params(e: ExpectationSpec, at: string): Finding[] {
  const rule = EXPECTATION_PARAMS[e.expect];
  const allowed = new Set([...rule.required, ...(rule.anyOf ?? []), ...(rule.optional ?? [])]);
  const out = rule.required
    .filter((p) => e[p] === undefined)
    .map((p) => finding(`${at}/${p}`, `expect '${e.expect}' needs '${p}'`));
  if (rule.anyOf && rule.anyOf.every((p) => e[p] === undefined)) {
    out.push(finding(at, `expect '${e.expect}' needs ${rule.anyOf.map((p) => `'${p}'`).join(' or ')}`));
  }
  for (const p of PARAMS.filter((key) => e[key] !== undefined && !allowed.has(key))) {
    out.push(finding(`${at}/${p}`, `'${p}' does not apply to expect '${e.expect}'`, 'key'));
  }
  if (e.mostly !== undefined && !MOSTLY_EXPECTATIONS.includes(e.expect)) {
    out.push(
      finding(
        `${at}/mostly`,
        `'mostly' does not apply to expect '${e.expect}': it does not count rows`,
        'key',
      ),
    );
  }
  return out;
}

function expectationValues(e: ExpectationSpec, at: string): Finding[] {
  const out: Finding[] = [];
  if (e.min !== undefined && e.max !== undefined && e.min > e.max) {
    out.push(finding(`${at}/min`, `min ${e.min} is greater than max ${e.max}`));
  }
  const bounds = (['min', 'max'] as const).filter((k) => e[k] !== undefined);
  if (e.expect === 'length_between' || e.expect === 'row_count_between') {
    for (const k of bounds.filter((b) => !Number.isInteger(e[b]) || e[b]! < 0)) {
      out.push(finding(`${at}/${k}`, `must be a whole number >= 0 for expect '${e.expect}'`));
    }
  }
  if (e.expect === 'unique_proportion_between') {
    for (const k of bounds.filter((b) => e[b]! < 0 || e[b]! > 1)) {
      out.push(finding(`${at}/${k}`, `must be between 0 and 1 for expect '${e.expect}'`));
    }
  }
  if (e.expect === 'match_regex') out.push(...regex(e.regex, `${at}/regex`));
  if (e.expect === 'fresh_within') out.push(...duration(e.maxAge, `${at}/maxAge`));
  out.push(...driftThreshold(e, at));
  return out;
}

/** A drift threshold must be positive, and ks and js distances never exceed 1. */
function driftThreshold(e: ExpectationSpec, at: string): Finding[] {
  if (e.expect !== 'distribution_stable' || e.max === undefined) return [];
  const method = e.method ?? 'psi';
  if (!(e.max > 0)) return [finding(`${at}/max`, `must be greater than 0 for expect '${e.expect}'`)];
  if (method !== 'psi' && e.max > 1)
    return [finding(`${at}/max`, `must be at most 1 for method '${method}' (a ${method} distance is 0..1)`)];
  return [];
}

function expectationColumns(e: ExpectationSpec, at: string, columns: Map<string, ColumnSpec>): Finding[] {
  const refs: Array<[string, string]> = [];
  if (e.column !== undefined) refs.push([`${at}/column`, e.column]);
  (e.columns ?? []).forEach((name, j) => refs.push([`${at}/columns/${j}`, name]));
  return refs
    .filter(([, name]) => !columns.has(name))
    .map(([p, name]) => finding(p, unknownColumn(name, columns.keys())));
}

function unknownColumn(name: string, known: Iterable<string>): string {
  const hint = didYouMean(name, known);
  return hint ? `unknown column '${name}'${hint}` : `unknown column '${name}' (not in schema)`;
}

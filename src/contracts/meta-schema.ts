/**
 * The contract meta-schema: the structure of a contract document (keys, types, enums,
 * ranges). Cross-field rules (column references, per-expectation parameters, exactly
 * one of column/expr/window, ...) are semantic checks, because JSON Schema's
 * if/then/oneOf errors are unreadable for authors.
 */
import Ajv, { type ErrorObject } from 'ajv';
import {
  COLUMN_TYPES,
  EXPECTATION_NAMES,
  EXPECTATION_SCOPES,
  SEVERITIES,
  SOURCE_TYPES,
  WINDOW_OPS,
} from '../domain/contract';
import { type Finding, appendPointer } from './locate';
import { nearestName } from '../lib/nearest-name';
import { MAX_NAME_LENGTH, MAX_VERSION_LENGTH } from '../lib/identifiers';
import { FEATURE_TYPES } from '../domain/contract';

export const CONTRACT_NAME_PATTERN = '^[a-z][a-z0-9_]*$';
/** Columns and features are referenced from expressions, so they must be identifiers. */
export const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
export const NOT_BLANK_PATTERN = '\\S';
/** The official semver.org regular expression (MAJOR.MINOR.PATCH, optional pre-release and build). */
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)' +
  '(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?' +
  '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';

// No minLength: the pattern already rejects '', and one message is clearer than two.
const text = { type: 'string', pattern: NOT_BLANK_PATTERN };
const identifier = { type: 'string', pattern: IDENTIFIER_PATTERN, maxLength: MAX_NAME_LENGTH };
const scalarValue = { type: ['string', 'number', 'boolean'] };
const scalarList = { type: 'array', minItems: 1, uniqueItems: true, items: scalarValue };

/** A closed object: every key must be listed, so a typo is an error, never ignored. */
function closed(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, required, properties };
}

const column = closed(
  {
    name: identifier,
    type: { enum: [...COLUMN_TYPES] },
    description: { type: 'string' },
    required: { type: 'boolean' },
    unique: { type: 'boolean' },
    enum: scalarList,
    minimum: { type: 'number' },
    maximum: { type: 'number' },
    pattern: { type: 'string', minLength: 1 },
    minLength: { type: 'integer', minimum: 0 },
    maxLength: { type: 'integer', minimum: 0 },
    from: text,
  },
  ['name', 'type'],
);

const expectation = closed(
  {
    expect: { enum: [...EXPECTATION_NAMES] },
    severity: { enum: [...SEVERITIES] },
    column: identifier,
    columns: { type: 'array', minItems: 1, uniqueItems: true, items: identifier },
    min: { type: 'number' },
    max: { type: 'number' },
    values: scalarList,
    regex: { type: 'string', minLength: 1 },
    type: { enum: [...COLUMN_TYPES] },
    maxAge: { type: 'string' },
    interval: { type: 'string' },
    scope: { enum: [...EXPECTATION_SCOPES] },
    method: { enum: ['psi', 'ks', 'js'] },
    baseline: {
      oneOf: [
        closed({ last: { type: 'integer', minimum: 1, maximum: 100 } }, ['last']),
        closed({ run: text }, ['run']),
      ],
    },
    maxChange: { type: 'number', minimum: 0, maximum: 1 },
    mostly: { type: 'number', minimum: 0, maximum: 1 },
    description: { type: 'string' },
  },
  ['expect', 'severity'],
);

const window = closed(
  {
    op: { enum: [...WINDOW_OPS] },
    column: identifier,
    rows: { type: 'integer', minimum: 1 },
    duration: { type: 'string' },
    offset: { type: 'integer', minimum: 1 },
    skipNulls: { type: 'boolean' },
  },
  ['op', 'column'],
);

const feature = closed(
  {
    name: identifier,
    column: identifier,
    expr: text,
    window,
    description: { type: 'string' },
    type: { enum: [...FEATURE_TYPES] },
  },
  ['name'],
);

const source = closed(
  {
    type: { enum: [...SOURCE_TYPES] },
    path: text,
    delimiter: { type: 'string', minLength: 1 },
    quote: { type: 'string', minLength: 1 },
    header: { type: 'boolean' },
    nullValues: { type: 'array', items: { type: 'string' } },
    encoding: text,
    subject: text,
    stream: text,
    batch: closed({ maxRecords: { type: 'integer', minimum: 1 }, maxWait: { type: 'string' } }),
  },
  ['type'],
);

/** The JSON Schema (draft-07) of a contract document; exported so editors and docs can use it. */
export const CONTRACT_META_SCHEMA = closed(
  {
    name: { type: 'string', pattern: CONTRACT_NAME_PATTERN, maxLength: MAX_NAME_LENGTH },
    version: { type: 'string', pattern: SEMVER_PATTERN, maxLength: MAX_VERSION_LENGTH },
    owner: text,
    description: { type: 'string' },
    entity: closed(
      {
        name: text,
        key: { type: 'array', minItems: 1, uniqueItems: true, items: identifier },
        nullable: { type: 'array', uniqueItems: true, items: identifier },
        description: { type: 'string' },
      },
      ['name', 'key'],
    ),
    eventTime: identifier,
    source,
    schema: { type: 'array', minItems: 1, items: column },
    expectations: { type: 'array', items: expectation },
    filters: { type: 'array', items: closed({ expr: text, description: { type: 'string' } }, ['expr']) },
    features: { type: 'array', minItems: 1, items: feature },
    schedule: closed({ cron: text, timezone: text, onArrival: { type: 'boolean' } }),
    sla: closed({ freshness: { type: 'string' } }),
    policy: closed({
      onNewVersion: { enum: ['backfill', 'none'] },
      onRollback: { enum: ['reprocess', 'none'] },
      maxRejectedFraction: { type: 'number', minimum: 0, maximum: 1 },
    }),
    tags: { type: 'array', uniqueItems: true, items: text },
    links: { type: 'object', additionalProperties: text },
  },
  ['name', 'version', 'owner', 'entity', 'eventTime', 'source', 'schema', 'expectations', 'features'],
);

// Compiled once at module load: validating many contracts must not recompile.
// strictNumbers rejects .nan / .inf, which YAML can express and JSON cannot.
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  strictNumbers: true,
  verbose: true,
});
const validate = ajv.compile(CONTRACT_META_SCHEMA);

/** Every structural problem of `value`, as human messages at JSON-pointer paths. */
export function checkMetaSchema(value: unknown): Finding[] {
  if (validate(value)) return [];
  const findings = (validate.errors ?? []).map((e: ErrorObject) => translateAjvError(e));
  return dedupe(findings);
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const id = f.path + '\0' + f.message;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

// ---- ajv error → author-facing message -------------------------------------------

const PATTERN_MESSAGES: Record<string, (data: unknown) => string> = {
  [CONTRACT_NAME_PATTERN]: (d) =>
    `${show(d)} must start with a lowercase letter and contain only lowercase letters, digits and _`,
  [IDENTIFIER_PATTERN]: (d) =>
    `${show(d)} must be an identifier (letters, digits and _, not starting with a digit)`,
  [NOT_BLANK_PATTERN]: () => 'must not be empty or blank',
  [SEMVER_PATTERN]: (d) => versionMessage(d),
};

/**
 * A schema column name is what expressions and queries use; the source's own header
 * may be anything, and `from:` reads it: suggest both, with a name made from the header.
 */
function columnNameMessage(data: unknown): string {
  const header = String(data);
  const made = header
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 63);
  const name = made === '' ? 'column_1' : /^\d/.test(made) ? `c_${made}`.slice(0, 63) : made;
  return (
    `${PATTERN_MESSAGES[IDENTIFIER_PATTERN]!(data)}; to read a source column named ${show(data)}, ` +
    `give the column an identifier and read the header with from: { name: ${name}, from: ${JSON.stringify(header)}, type: ... }`
  );
}

function versionMessage(data: unknown): string {
  return `version '${String(data)}' is not a semantic version (MAJOR.MINOR.PATCH)`;
}

function translateAjvError(e: ErrorObject): Finding {
  const at = e.instancePath;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const hint = suggest(key, Object.keys((e.parentSchema?.properties as object | undefined) ?? {}));
      return { path: appendPointer(at, key), message: `unknown key '${key}'${hint}`, target: 'key' };
    }
    case 'required':
      return {
        path: appendPointer(at, String(p.missingProperty)),
        message: `missing required key '${String(p.missingProperty)}'`,
      };
    case 'uniqueItems': {
      const [first, dup] = [Number(p.i), Number(p.j)].sort((a, b) => a - b) as [number, number];
      return { path: appendPointer(at, String(dup)), message: `duplicate of item ${first}` };
    }
    default:
      return { path: at, message: simpleMessage(e, p) };
  }
}

function simpleMessage(e: ErrorObject, p: Record<string, unknown>): string {
  switch (e.keyword) {
    case 'enum':
      return `must be one of: ${(e.schema as unknown[]).join(', ')}; got ${show(e.data)}`;
    case 'type':
      if (e.instancePath === '/version' && typeof e.data === 'number') return versionMessage(e.data);
      return `must be ${typeNames(e.schema)}; got ${show(e.data)}`;
    case 'minimum':
      return `must be >= ${String(p.limit)}`;
    case 'maximum':
      return `must be <= ${String(p.limit)}`;
    case 'minLength':
    case 'minItems':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} ${unit(e)}`;
    case 'maxLength':
      return `must have at most ${String(p.limit)} ${unit(e)}`;
    case 'pattern':
      if (/^\/schema\/\d+\/name$/.test(e.instancePath) && e.schema === IDENTIFIER_PATTERN)
        return columnNameMessage(e.data);
      return PATTERN_MESSAGES[String(e.schema)]?.(e.data) ?? `must match ${String(e.schema)}`;
    default:
      return e.message ?? e.keyword;
  }
}

function unit(e: ErrorObject): string {
  return e.keyword.endsWith('Items') ? 'items' : 'characters';
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
};

function typeNames(schema: unknown): string {
  const names = (Array.isArray(schema) ? schema : [schema]).map((t) => TYPE_NAMES[String(t)] ?? String(t));
  return names.length > 1 ? names.slice(0, -1).join(', ') + ' or ' + names.at(-1) : (names[0] ?? '');
}

/** A value as an author would recognise it in a message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** "; did you mean 'x'?" for a likely typo of an allowed key, else "". */
function suggest(key: string, allowed: string[]): string {
  const best = nearestName(key, allowed);
  return best === undefined ? '' : `; did you mean '${best}'?`;
}

/**
 * The contract as every layer sees it once parsed and checked. The YAML format is
 * fixed by DESIGN.md; these types are its in-memory shape. Optional keys are left
 * undefined (never defaulted here) so that a diff between two versions sees exactly
 * what the author wrote; defaults are applied where they are used.
 */
/** What a feature serves; a column's type maps onto one (contracts/feature-type.ts). */
export const FEATURE_TYPES = ['int', 'float', 'string', 'bool', 'timestamp', 'date'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export const COLUMN_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export const SOURCE_TYPES = ['csv', 'jsonl', 'push', 'nats', 'redis-stream'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const SEVERITIES = ['reject', 'fail', 'warn'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const WINDOW_OPS = ['sum', 'mean', 'min', 'max', 'count', 'lag', 'diff'] as const;
export type WindowOp = (typeof WINDOW_OPS)[number];

/** Expectations checked row by row (a failing row can be rejected on its own). */
export const ROW_EXPECTATIONS = [
  'not_null',
  'between',
  'in_set',
  'not_in_set',
  'match_regex',
  'length_between',
  'of_type',
  'increasing',
  'non_decreasing',
  'no_future_event_time',
] as const;

/** Expectations over the whole batch. */
export const TABLE_EXPECTATIONS = [
  'row_count_between',
  'unique',
  'compound_unique',
  'min_between',
  'max_between',
  'mean_between',
  'median_between',
  'sum_between',
  'stdev_between',
  'unique_proportion_between',
  'distinct_values_in_set',
  'columns_match_set',
  'fresh_within',
  'no_gaps',
  // Drift against the profiles of earlier runs (quality/drift-expectations.ts).
  'distribution_stable',
  'null_rate_stable',
] as const;

export const EXPECTATION_NAMES = [...ROW_EXPECTATIONS, ...TABLE_EXPECTATIONS] as const;
export type ExpectationName = (typeof EXPECTATION_NAMES)[number];

/**
 * Expectations that count rows, so `mostly` applies: every row expectation, plus
 * `unique` and `compound_unique` (a duplicated row is one unexpected element). The
 * other table expectations test one aggregate of the batch; `mostly` is an error there.
 */
export const MOSTLY_EXPECTATIONS: readonly ExpectationName[] = [
  ...ROW_EXPECTATIONS,
  'unique',
  'compound_unique',
];

export type ExpectationParam =
  | 'column'
  | 'columns'
  | 'min'
  | 'max'
  | 'values'
  | 'regex'
  | 'type'
  | 'maxAge'
  | 'interval'
  | 'method'
  | 'baseline'
  | 'maxChange';

/**
 * What a table expectation looks at: `batch` (the default) the rows of one run, `view`
 * the feature view's visible rows as they would be once the run commits.
 */
export const EXPECTATION_SCOPES = ['batch', 'view'] as const;
export type ExpectationScope = (typeof EXPECTATION_SCOPES)[number];

/** The expectations that accept `scope: view` (src/quality/view-checks.ts). */
export const VIEW_SCOPE_EXPECTATIONS: readonly ExpectationName[] = [
  'row_count_between',
  'compound_unique',
  'no_gaps',
  'fresh_within',
];

/** Parameters of one expectation: `required` all needed, `anyOf` at least one, `optional` allowed; others rejected. */
export interface ExpectationParamRule {
  required: ExpectationParam[];
  anyOf?: ExpectationParam[];
  optional?: ExpectationParam[];
}

const COLUMN_PARAM: ExpectationParamRule = { required: ['column'] };
const COLUMN_RANGE: ExpectationParamRule = { required: ['column'], anyOf: ['min', 'max'] };
const COLUMN_VALUES: ExpectationParamRule = { required: ['column', 'values'] };

/** The parameters each expectation takes (checked by src/contracts/semantic-checks.ts). */
export const EXPECTATION_PARAMS: Record<ExpectationName, ExpectationParamRule> = {
  not_null: COLUMN_PARAM,
  between: COLUMN_RANGE,
  in_set: COLUMN_VALUES,
  not_in_set: COLUMN_VALUES,
  match_regex: { required: ['column', 'regex'] },
  length_between: COLUMN_RANGE,
  of_type: { required: ['column', 'type'] },
  increasing: COLUMN_PARAM,
  non_decreasing: COLUMN_PARAM,
  no_future_event_time: { required: [], optional: ['column'] }, // column defaults to eventTime
  row_count_between: { required: [], anyOf: ['min', 'max'] },
  unique: COLUMN_PARAM,
  compound_unique: { required: ['columns'] },
  min_between: COLUMN_RANGE,
  max_between: COLUMN_RANGE,
  mean_between: COLUMN_RANGE,
  median_between: COLUMN_RANGE,
  sum_between: COLUMN_RANGE,
  stdev_between: COLUMN_RANGE,
  unique_proportion_between: COLUMN_RANGE,
  distinct_values_in_set: COLUMN_VALUES,
  columns_match_set: { required: ['values'] },
  fresh_within: { required: ['maxAge'], optional: ['column'] }, // column defaults to eventTime
  no_gaps: { required: ['interval'] },
  distribution_stable: { required: ['column', 'max'], optional: ['method', 'baseline'] }, // method defaults to psi
  null_rate_stable: { required: ['column', 'maxChange'], optional: ['baseline'] },
};

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  description?: string;
  required?: boolean;
  unique?: boolean;
  enum?: Array<string | number | boolean>;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  /** Source header to read this column from, when it differs from `name`. */
  from?: string;
}

/**
 * One quality expectation. Parameters depend on `expect`:
 * - `column` for single-column checks, `columns` for compound ones / columns_match_set,
 * - `min` / `max` for *_between,
 * - `values` for in_set / not_in_set / distinct_values_in_set / columns_match_set,
 * - `regex` for match_regex, `type` for of_type, `maxAge` (ISO-8601 duration) for fresh_within.
 */
export interface ExpectationSpec {
  expect: ExpectationName;
  severity: Severity;
  column?: string;
  columns?: string[];
  min?: number;
  max?: number;
  values?: Array<string | number | boolean>;
  regex?: string;
  type?: ColumnType;
  maxAge?: string;
  /** no_gaps: the series' step (ISO-8601 duration); a longer step between two event times is a gap. */
  interval?: string;
  /** `view`: checked on the visible feature view inside the run's commit; default `batch`. */
  scope?: ExpectationScope;
  /** distribution_stable: the drift statistic (`max` is the largest value allowed). */
  method?: 'psi' | 'ks' | 'js';
  /** Drift expectations: the runs compared with (default: the last 5 succeeded runs). */
  baseline?: { last: number } | { run: string };
  /** null_rate_stable: the largest change of the null rate (0..1, absolute) allowed. */
  maxChange?: number;
  /** Fraction of rows (0..1) that must pass for the expectation to succeed. */
  mostly?: number;
  description?: string;
}

export interface WindowSpec {
  op: WindowOp;
  column: string;
  /** Last N rows per entity (including the current one). */
  rows?: number;
  /** Or: rows within this ISO-8601 duration before the current event time (inclusive). */
  duration?: string;
  /** For lag/diff: how many rows back (default 1). */
  offset?: number;
  /** For lag/diff: count back over non-null values only (diff: the change since the last non-null value). */
  skipNulls?: boolean;
}

/** Exactly one of `column`, `expr`, `window` is set. */
export interface FeatureSpec {
  name: string;
  column?: string;
  expr?: string;
  window?: WindowSpec;
  description?: string;
  /** The value type; inferred when absent (feature-type.ts), checked against the inference when given. */
  type?: FeatureType;
}

export interface SourceSpec {
  type: SourceType;
  /** Glob relative to the landing directory (csv, jsonl). */
  path?: string;
  delimiter?: string;
  quote?: string;
  /** Whether the first CSV line is a header (default true). */
  header?: boolean;
  nullValues?: string[];
  encoding?: string;
  /** Streaming sources (nats, redis-stream). */
  subject?: string;
  stream?: string;
  batch?: { maxRecords?: number; maxWait?: string };
}

/** A row filter: rows for which `expr` is false are dropped (counted, not rejected). */
export interface FilterSpec {
  expr: string;
  description?: string;
}

export interface ScheduleSpec {
  cron?: string;
  timezone?: string;
  onArrival?: boolean;
}

export interface ContractPolicy {
  /** What to do with kept raw batches when a new version becomes active. */
  onNewVersion?: 'backfill' | 'none';
  /** What to do with dependent later runs when a run is rolled back. */
  onRollback?: 'reprocess' | 'none';
  /** 0..1: a run rejecting a larger share of its rows fails (docs/validation.md). */
  maxRejectedFraction?: number;
}

export interface Contract {
  name: string;
  version: string;
  owner: string;
  description?: string;
  /**
   * `nullable`: key columns whose part may be null (null matches null on reads); the
   * others are required. At least one key column is not nullable.
   */
  entity: { name: string; key: string[]; nullable?: string[]; description?: string };
  eventTime: string;
  source: SourceSpec;
  schema: ColumnSpec[];
  expectations: ExpectationSpec[];
  filters?: FilterSpec[];
  features: FeatureSpec[];
  schedule?: ScheduleSpec;
  sla?: { freshness?: string };
  policy?: ContractPolicy;
  tags?: string[];
  links?: Record<string, string>;
}

/** A contract as read from a file: the parsed value plus where it came from. */
export interface ParsedContract {
  contract: Contract;
  /** sha256 of the canonical JSON of `contract`: equal content, equal hash, whatever the formatting. */
  hash: string;
  /** The file path as given (for error messages and reports). */
  file: string;
  /** The YAML text, kept so the registry stores exactly what was reviewed. */
  text: string;
}

export function major(version: string): number {
  return Number(version.split('.')[0]);
}

/**
 * A contract's top-level keys, in the order the docs and written contracts use. Each is
 * handled by a compatibility rule (name and version are not content), and an imported
 * contract is written in this order.
 */
export const CONTRACT_KEYS = [
  'name',
  'version',
  'owner',
  'description',
  'entity',
  'eventTime',
  'source',
  'schema',
  'expectations',
  'filters',
  'features',
  'schedule',
  'sla',
  'policy',
  'tags',
  'links',
] as const;

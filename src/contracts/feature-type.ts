/**
 * The type of every feature: declared (`type:` on the feature) or inferred from what it
 * reads: a column feature has its column's type, a window its op's result over its
 * column, an expression what expression-type.ts works out. A declared type must agree
 * with the inferred one (an int may be declared a float: every int is one); an
 * expression whose type cannot be inferred must declare one. Pure: the linter reports
 * the problems, the read path and the typed GraphQL views use the types.
 */
import {
  FEATURE_TYPES,
  type ColumnType,
  type Contract,
  type FeatureSpec,
  type FeatureType,
  type WindowSpec,
} from '../domain/contract';
import { inferExpressionType, type Inferred } from './expression-type';

const FROM_COLUMN: Record<ColumnType, FeatureType> = {
  integer: 'int',
  number: 'float',
  string: 'string',
  boolean: 'bool',
  date: 'date',
  timestamp: 'timestamp',
};

const TO_COLUMN: Record<FeatureType, ColumnType> = {
  int: 'integer',
  float: 'number',
  string: 'string',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

export function featureTypeOfColumn(t: ColumnType): FeatureType {
  return FROM_COLUMN[t];
}

/** The column type spelling of a feature type (the generic `features { type }` list uses it). */
export function columnTypeOfFeature(t: FeatureType): ColumnType {
  return TO_COLUMN[t];
}

export interface TypedFeature {
  name: string;
  type: FeatureType;
  /** Declared, or written from the definition when none is. */
  description: string;
}

export interface FeatureTypeProblem {
  /** JSON pointer of the offending key. */
  path: string;
  message: string;
}

export interface FeatureTyping {
  features: TypedFeature[];
  problems: FeatureTypeProblem[];
}

const TEMPORAL = new Set<FeatureType>(['date', 'timestamp']);
const NUMERIC = new Set<FeatureType>(['int', 'float']);

/** The type a window op gives over a column of type `t`. */
export function inferWindowType(op: WindowSpec['op'], t: FeatureType): Inferred {
  switch (op) {
    case 'count':
      return { type: 'int' };
    case 'lag':
      return { type: t };
    case 'mean':
      return NUMERIC.has(t) ? { type: 'float' } : { unknown: `mean of a ${t} column is always null` };
    case 'sum':
      return NUMERIC.has(t) ? { type: t } : { unknown: `sum of a ${t} column is always null` };
    case 'min':
    case 'max':
      return NUMERIC.has(t) || TEMPORAL.has(t)
        ? { type: t }
        : { unknown: `${op} of a ${t} column is always null` };
    case 'diff':
      // Dates and timestamps are epoch milliseconds in the pipeline: their difference is a count of ms.
      if (TEMPORAL.has(t)) return { type: 'int' };
      return NUMERIC.has(t) ? { type: t } : { unknown: `diff of a ${t} column is always null` };
  }
}

/** Whether a value of type `inferred` may be served as `declared`. */
export function fits(inferred: FeatureType, declared: FeatureType): boolean {
  return inferred === declared || (inferred === 'int' && declared === 'float');
}

/**
 * Types and descriptions of every feature of `contract`, in contract order, with the
 * problems found. A feature with a problem still gets a type (declared, else inferred,
 * else float) so that readers of a contract registered before types were checked keep working.
 */
export function typeFeatures(contract: Contract): FeatureTyping {
  const known = new Map<string, FeatureType>();
  const columnDescriptions = new Map<string, string | undefined>();
  for (const c of contract.schema) {
    known.set(c.name, featureTypeOfColumn(c.type));
    columnDescriptions.set(c.name, c.description);
  }
  const features: TypedFeature[] = [];
  const problems: FeatureTypeProblem[] = [];
  contract.features.forEach((f, i) => {
    const inferred = infer(f, known);
    const at = `/features/${i}`;
    const declared = f.type;
    if (declared && 'type' in inferred && !fits(inferred.type, declared)) {
      problems.push({
        path: `${at}/type`,
        message: `feature '${f.name}' declares type ${declared} but its ${kind(f)} gives ${inferred.type}`,
      });
    } else if (!declared && 'unknown' in inferred) {
      problems.push({
        path: `${at}/${kind(f)}`,
        message: `cannot infer the type of feature '${f.name}' (${inferred.unknown}); declare one with 'type: ${FEATURE_TYPES.join(' | ')}'`,
      });
    }
    const type = declared ?? ('type' in inferred ? inferred.type : 'float');
    known.set(f.name, type);
    features.push({ name: f.name, type, description: describe(f, columnDescriptions) });
  });
  return { features, problems };
}

function kind(f: FeatureSpec): 'column' | 'expr' | 'window' {
  return f.column !== undefined ? 'column' : f.expr !== undefined ? 'expr' : 'window';
}

function infer(f: FeatureSpec, known: ReadonlyMap<string, FeatureType>): Inferred {
  if (f.column !== undefined) {
    const t = known.get(f.column);
    return t ? { type: t } : { unknown: `unknown column '${f.column}'` };
  }
  if (f.expr !== undefined) return inferExpressionType(f.expr, known);
  if (f.window) {
    const t = known.get(f.window.column);
    return t ? inferWindowType(f.window.op, t) : { unknown: `unknown column '${f.window.column}'` };
  }
  return { unknown: 'no column, expr or window' };
}

function describe(f: FeatureSpec, columns: ReadonlyMap<string, string | undefined>): string {
  if (f.description) return f.description;
  if (f.column !== undefined) return columns.get(f.column) ?? `column ${f.column}`;
  if (f.expr !== undefined) return `expression: ${f.expr}`;
  const w = f.window!;
  const over =
    w.rows !== undefined
      ? ` over the last ${w.rows} rows`
      : w.duration !== undefined
        ? ` over ${w.duration}`
        : w.offset !== undefined && w.offset !== 1
          ? ` ${w.offset} rows back`
          : '';
  return `${w.op} of ${w.column}${over} per entity`;
}

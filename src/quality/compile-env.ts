/**
 * What an expectation sees while it compiles: the contract, its column types, and
 * helpers that turn a malformed expectation into an InputError naming it. The
 * meta-schema already checked shapes; these catch what it cannot (unknown columns, a
 * `between` on a string column, a regex that does not compile).
 */
import type { ColumnType, Contract, ExpectationSpec } from '../domain/contract';
import { InputError } from '../errors';
import type { Value } from '../domain/value';
import { compileLinearRegex, type LinearRegex } from './linear-regex';

export class CompileEnv {
  private readonly types: Map<string, ColumnType>;

  constructor(
    readonly contract: Contract,
    readonly spec: ExpectationSpec,
    readonly index: number,
  ) {
    this.types = new Map(contract.schema.map((c) => [c.name, c.type]));
  }

  fail(problem: string): never {
    throw new InputError(
      `contract ${this.contract.name}@${this.contract.version}: expectations[${this.index}] (${this.spec.expect}) ${problem}`,
      { path: `/expectations/${this.index}` },
    );
  }

  /** The spec's `column`, which must name a schema column (of one of `types`, if given). */
  column(types?: readonly ColumnType[]): string {
    const name = this.spec.column;
    if (name === undefined) return this.fail('needs `column`');
    return this.checkColumn(name, types);
  }

  checkColumn(name: string, types?: readonly ColumnType[]): string {
    const type = this.types.get(name);
    if (type === undefined) return this.fail(`names unknown column '${name}'`);
    if (types && !types.includes(type)) {
      return this.fail(`needs a column of type ${types.join(' | ')}, '${name}' is ${type}`);
    }
    return name;
  }

  typeOf(name: string): ColumnType {
    return this.types.get(name) ?? this.fail(`names unknown column '${name}'`);
  }

  /** min/max of a *_between; at least one bound, as in Great Expectations. */
  bounds(): { min: number | undefined; max: number | undefined } {
    const { min, max } = this.spec;
    if (min === undefined && max === undefined) this.fail('needs `min` or `max`');
    if (min !== undefined && max !== undefined && min > max) this.fail(`has min ${min} > max ${max}`);
    return { min, max };
  }

  values(): Array<string | number | boolean> {
    return this.spec.values ?? this.fail('needs `values`');
  }

  /** Linear-time (RE2), like the schema's `pattern`, so no pattern can stall a run. */
  regex(source: string): LinearRegex {
    try {
      return compileLinearRegex(source);
    } catch (e) {
      return this.fail(`has an invalid regex: ${(e as Error).message}`);
    }
  }
}

export const NUMERIC_TYPES: readonly ColumnType[] = ['integer', 'number', 'date', 'timestamp'];

/**
 * An expected value from YAML brought to the cell's type, so sets compare with a plain
 * `Set.has` per row: `values: [1, 2]` on a string column means "1" and "2", and an ISO
 * date in a set of a date column means its epoch ms. Unconvertible values stay as
 * written (and simply never match).
 */
export function toCellValue(v: string | number | boolean, type: ColumnType): Value {
  switch (type) {
    case 'string':
      return String(v);
    case 'integer':
    case 'number': {
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isNaN(n) ? v : n;
    }
    case 'boolean':
      return v === 'true' ? true : v === 'false' ? false : v;
    case 'date':
    case 'timestamp': {
      const n = typeof v === 'number' ? v : Date.parse(String(v));
      return Number.isNaN(n) ? v : n;
    }
  }
}

export function boundsText(min: number | undefined, max: number | undefined): string {
  if (min === undefined) return `at most ${max}`;
  if (max === undefined) return `at least ${min}`;
  return `between ${min} and ${max}`;
}

/**
 * Row filters: a cleansed row is kept only when every `contract.filters[i].expr` is
 * exactly `true`. Null (e.g. a comparison with a null column), false, or a non-boolean
 * result drops the row: a filter keeps what it can vouch for. Dropped rows are counted
 * by the executor, not rejected. Filters see the schema columns by name.
 */
import type { Contract } from '../domain/contract';
import { compileExpression, type CompiledExpression } from './expression';
import type { Value } from '../domain/value';

export type RowFilter = (values: Record<string, Value>) => boolean;

export function compileFilters(contract: Contract): RowFilter {
  const names = contract.schema.map((c) => c.name);
  const compiled: CompiledExpression[] = (contract.filters ?? []).map((f, i) =>
    compileExpression(f.expr, names, `filters/${i}/expr`),
  );
  if (compiled.length === 0) return () => true;
  return (values) => {
    for (let i = 0; i < compiled.length; i++) {
      if (compiled[i]!(values) !== true) return false;
    }
    return true;
  };
}

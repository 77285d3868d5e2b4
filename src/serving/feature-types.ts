/** The value type of each feature of a contract, for typed feature lists. */
import type { Contract, ColumnType } from '../contracts/contract.types';

export type FeatureValueType = ColumnType;

export function featureTypes(contract: Contract): Map<string, FeatureValueType> {
  const columns = new Map(contract.schema.map((c) => [c.name, c.type] as const));
  const out = new Map<string, FeatureValueType>();
  for (const f of contract.features) {
    if (f.column !== undefined) out.set(f.name, columns.get(f.column) ?? 'string');
    else if (f.window) {
      const op = f.window.op;
      const source = out.get(f.window.column) ?? columns.get(f.window.column) ?? 'number';
      if (op === 'count') out.set(f.name, 'integer');
      else if (op === 'lag' || op === 'min' || op === 'max') out.set(f.name, source);
      else if (op === 'mean') out.set(f.name, 'number');
      else out.set(f.name, source === 'integer' ? 'integer' : 'number');
    } else out.set(f.name, 'number');
  }
  return out;
}

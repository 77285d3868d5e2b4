/**
 * Everything a run executes for one contract version, compiled once and cached by
 * contract hash: the cleanser, the row filters, the quality checks and the
 * transform. Rows never trigger compilation.
 */
import type { Contract } from '../domain/contract';
import { compileCellCleanser, compileCleanser, type CellCleanser, type Cleanser } from './cleanse';
import { compileFilters, type RowFilter } from './filter';
import { compileTransformBatches, historyNeeds, type TransformBatches, type HistoryNeeds } from './transform';
import { compileChecks } from '../quality';
import type { CompiledChecks } from '../quality/checks.types';

export interface CompiledContract {
  contract: Contract;
  cleanse: Cleanser;
  /** The same cleansing into a reused values object (the read stage's). */
  cells: CellCleanser;
  filter: RowFilter;
  checks: CompiledChecks;
  /** Feature rows in canonical order, in batches, made in slices (slices.ts). */
  transform: TransformBatches;
  history: HistoryNeeds;
  /** Columns of the expectations that compare a row with the entity's previous stored value. */
  monotonicColumns: string[];
}

export class CompiledContractCache {
  private readonly cache = new Map<string, CompiledContract>();

  constructor(private readonly capacity = 64) {}

  get(hash: string, contract: Contract): CompiledContract {
    const hit = this.cache.get(hash);
    if (hit) return hit;
    const compiled: CompiledContract = {
      contract,
      cleanse: compileCleanser(contract),
      cells: compileCellCleanser(contract),
      filter: compileFilters(contract),
      checks: compileChecks(contract),
      transform: compileTransformBatches(contract),
      history: historyNeeds(contract),
      monotonicColumns: [
        ...new Set(
          contract.expectations
            .filter((e) => e.expect === 'increasing' || e.expect === 'non_decreasing')
            .flatMap((e) => (e.column === undefined ? [] : [e.column])),
        ),
      ],
    };
    if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hash, compiled);
    return compiled;
  }
}
